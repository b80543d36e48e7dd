import { Box } from 'ink';
import { type FormatContext, type PlacedColumn, renderCells, renderHeader } from './columns.js';
import { Line } from './Line.js';
import type { SortOrder } from './state.js';
import type { TableRow } from './views.js';

/** Props of {@link DataTable}. */
export interface DataTableProps<R> {
  readonly columns: readonly PlacedColumn<R>[];
  readonly rows: readonly TableRow<R>[];
  /** First row shown. */
  readonly start: number;
  /** Rows shown; undefined shows them all (`--once`). */
  readonly height: number | undefined;
  readonly selectedKey: string | undefined;
  /** The column `s` sorts by, underlined in the header. */
  readonly currentColumn: string | undefined;
  readonly sort: SortOrder | undefined;
  readonly ctx: FormatContext;
  /** Said in the body when there is no row. */
  readonly emptyText: string;
  /** Blank lines pad the body to `height`, so the footer stays at the bottom. */
  readonly fill: boolean;
  /** Cells per line. */
  readonly width: number;
  /** Colours on. */
  readonly colour: boolean;
}

/**
 * The one table of the dashboard: any view's columns and rows, a heading
 * line per group, the selected row inverted, and only the rows that fit.
 */
export function DataTable<R>(props: DataTableProps<R>) {
  const { columns, rows, start, height, ctx, width, colour } = props;
  const shown = height === undefined ? rows.slice(start) : rows.slice(start, start + height);
  const blank = props.fill && height !== undefined ? Math.max(0, height - Math.max(shown.length, 1)) : 0;
  return (
    <Box flexDirection="column">
      <Line
        segments={renderHeader(columns, props.currentColumn, props.sort, ctx.glyphs)}
        width={width}
        colour={colour}
      />
      {shown.length === 0 ? (
        <Line segments={[{ text: props.emptyText, dim: true }]} width={width} colour={colour} />
      ) : null}
      {shown.map((row) =>
        row.kind === 'group' ? (
          <Line key={row.key} segments={row.segments} width={width} colour={colour} />
        ) : (
          <Line
            key={row.key}
            segments={renderCells(row.item, columns, ctx)}
            selected={row.key === props.selectedKey}
            dim={row.stale === true}
            width={width}
            colour={colour}
          />
        ),
      )}
      {Array.from({ length: blank }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blank filler lines have no identity
        <Line key={`blank-${i}`} segments={[]} width={width} colour={colour} />
      ))}
    </Box>
  );
}
