import type { Glyphs } from './format.js';

/** Colours the table uses (Ink's named colours). */
export type Colour = 'green' | 'red' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray' | 'white';

/** A piece of a cell with its style. */
export interface Segment {
  readonly text: string;
  readonly color?: Colour | undefined;
  readonly bold?: boolean | undefined;
  readonly dim?: boolean | undefined;
  readonly inverse?: boolean | undefined;
  readonly underline?: boolean | undefined;
}

/** What a column's formatter may use besides the row. */
export interface FormatContext {
  readonly glyphs: Glyphs;
  /** Epoch ms of the frame. */
  readonly now: number;
  /** Name of the daemon at an index. */
  nodeName(node: number): string;
}

/**
 * A column of a view, as data: the one table component lays out and draws
 * any list of these. Narrow terminals drop the columns with the highest
 * `priority` numbers first; a `flex` column takes the width left over.
 */
export interface Column<R> {
  readonly key: string;
  readonly header: string;
  /** Cells, including the column's own content only (one space separates columns). */
  readonly width: number;
  readonly align: 'left' | 'right';
  /** 1 is always shown; larger numbers go first when the terminal is narrow. */
  readonly priority: number;
  /** Grows into the unused width, up to `maxWidth`. */
  readonly flex?: boolean;
  readonly maxWidth?: number;
  /** The cell: a string, or styled segments. */
  format(row: R, width: number, ctx: FormatContext): string | Segment | readonly Segment[];
  /** What the sort key compares; absent: the column cannot sort. */
  sortValue?(row: R): number | string;
}

/** A column with the width it gets in this frame. */
export interface PlacedColumn<R> {
  readonly column: Column<R>;
  readonly width: number;
}

/**
 * The columns that fit in `width` cells, in their declared order: by
 * priority until the width is used, then the leftover widens the flex column.
 */
export function fitColumns<R>(columns: readonly Column<R>[], width: number): PlacedColumn<R>[] {
  const byPriority = [...columns].sort((a, b) => a.priority - b.priority);
  const chosen = new Set<Column<R>>();
  let used = 0;
  for (const column of byPriority) {
    const cost = column.width + (chosen.size === 0 ? 0 : 1);
    if (used + cost > width && chosen.size > 0) continue;
    chosen.add(column);
    used += cost;
  }
  let spare = Math.max(0, width - used);
  return columns
    .filter((c) => chosen.has(c))
    .map((column) => {
      if (column.flex !== true || spare === 0) return { column, width: column.width };
      const grow = Math.min(spare, (column.maxWidth ?? column.width) - column.width);
      spare -= Math.max(0, grow);
      return { column, width: column.width + Math.max(0, grow) };
    });
}

/** Cuts `text` to `width` cells with an ellipsis, or pads it on the side `align` says. */
export function fit(text: string, width: number, align: 'left' | 'right', glyphs: Glyphs): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? text.slice(0, 1) : text.slice(0, width - 1) + glyphs.ellipsis;
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

function toSegments(value: string | Segment | readonly Segment[]): readonly Segment[] {
  if (typeof value === 'string') return [{ text: value }];
  return Array.isArray(value) ? (value as readonly Segment[]) : [value as Segment];
}

/**
 * One row as styled segments exactly `width` cells wide per column:
 * segments keep their styles while the text is cut or padded as a whole.
 */
export function renderCells<R>(row: R, placed: readonly PlacedColumn<R>[], ctx: FormatContext): Segment[] {
  const out: Segment[] = [];
  placed.forEach(({ column, width }, i) => {
    if (i > 0) out.push({ text: ' ' });
    const segments = toSegments(column.format(row, width, ctx));
    const length = segments.reduce((n, s) => n + s.text.length, 0);
    if (length > width || segments.length === 1) {
      const text = segments.map((s) => s.text).join('');
      out.push({ ...segments[0], text: fit(text, width, column.align, ctx.glyphs) });
      return;
    }
    const pad = ' '.repeat(width - length);
    if (column.align === 'right' && pad !== '') out.push({ text: pad });
    out.push(...segments);
    if (column.align === 'left' && pad !== '') out.push({ text: pad });
  });
  return out;
}

/** The header line's segments, the current column underlined and the sort column marked. */
export function renderHeader<R>(
  placed: readonly PlacedColumn<R>[],
  current: string | undefined,
  sort: { column: string; descending: boolean } | undefined,
  glyphs: Glyphs,
): Segment[] {
  const out: Segment[] = [];
  placed.forEach(({ column, width }, i) => {
    if (i > 0) out.push({ text: ' ' });
    const mark = sort?.column === column.key ? (sort.descending ? 'v' : '^') : '';
    out.push({
      text: fit(column.header + mark, width, column.align, glyphs),
      bold: true,
      underline: column.key === current,
    });
  });
  return out;
}
