import { Box } from 'ink';
import { useMemo } from 'react';
import { bannerLines, footerLine, headerLines, statusLine, tabsLine } from './chrome.js';
import { type FormatContext, fitColumns } from './columns.js';
import { DataTable } from './DataTable.js';
import type { Glyphs } from './format.js';
import { HelpScreen } from './HelpScreen.js';
import { Line } from './Line.js';
import { screenLayout } from './layout.js';
import { selectedIndex, windowStart } from './navigation.js';
import { portsPreamble } from './ports-preamble.js';
import type { TopState } from './state.js';
import { viewSpec } from './views.js';

/** Props of {@link Frame}. */
export interface FrameProps {
  readonly state: TopState;
  readonly glyphs: Glyphs;
  /**
   * Interactive: exactly the terminal's height, the table scrolled to the
   * selection. Once: every row, for a pipe or a file.
   */
  readonly mode: 'interactive' | 'once';
  /** Colours on (off: NO_COLOR, --no-color, a pipe). @default true */
  readonly colour?: boolean;
}

/**
 * One frame of the dashboard from the state alone: header, tabs, banners,
 * the current view's table (or the help), status line and keys. It has no
 * hooks of its own besides memos, so `--once` renders it without a terminal.
 */
export function Frame({ state, glyphs, mode, colour = true }: FrameProps) {
  const width = state.size.columns;
  const spec = viewSpec(state.view);
  const multi = state.nodes.length > 1;
  const names = useMemo(() => state.nodes.map((n) => n.name), [state.nodes]);
  const ctx: FormatContext = useMemo(
    () => ({ glyphs, now: state.now, nodeName: (i: number) => names[i] ?? '?' }),
    [glyphs, state.now, names],
  );
  const columns = useMemo(
    () => fitColumns(spec.columns(multi), state.size.columns),
    [spec, multi, state.size.columns],
  );
  const rows = spec.rows(state);
  const layout = screenLayout(state);
  const interactive = mode === 'interactive';
  const selected = selectedIndex(rows, state.selected[state.view]);
  const start = interactive ? windowStart(rows, selected, state.scroll[state.view], layout.body) : 0;
  const lines = [...headerLines(state, glyphs), tabsLine(state), ...bannerLines(state)];
  const preamble = state.view === 'ports' ? portsPreamble(state) : [];
  return (
    <Box flexDirection="column" width={state.size.columns}>
      {lines.map((segments, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the chrome's lines are positional
        <Line key={`chrome-${i}`} segments={segments} width={width} colour={colour} />
      ))}
      {preamble.map((segments, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the preamble's lines are positional
        <Line key={`pre-${i}`} segments={segments} width={width} colour={colour} />
      ))}
      {state.mode.kind === 'help' ? (
        <HelpScreen
          readOnly={state.readOnly}
          height={layout.body + 1}
          fill={interactive}
          width={width}
          colour={colour}
        />
      ) : (
        <DataTable
          columns={columns}
          rows={rows}
          start={start}
          height={interactive ? layout.body : undefined}
          selectedKey={interactive && selected >= 0 ? rows[selected]?.key : undefined}
          currentColumn={state.column[state.view]}
          sort={state.sort[state.view]}
          ctx={ctx}
          emptyText={spec.empty(state)}
          fill={interactive}
          width={width}
          colour={colour}
        />
      )}
      {interactive ? <Line segments={statusLine(state)} width={width} colour={colour} /> : null}
      {interactive ? <Line segments={footerLine(state)} width={width} colour={colour} /> : null}
    </Box>
  );
}
