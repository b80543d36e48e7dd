import { portsPreamble } from './ports-preamble.js';
import type { TopState } from './state.js';

/**
 * How the screen is divided, in lines. The frame and the reducer (for
 * scrolling and paging) read the same figures, so the selected row is
 * always on screen.
 */
export interface ScreenLayout {
  /** Two lines per daemon: identity and figures, then its backends. */
  readonly header: number;
  /** The view tabs, filter and sort. */
  readonly tabs: 1;
  /** One line per daemon that is not connected. */
  readonly banners: number;
  /** Lines of the view above its table (the ports view's kernel settings). */
  readonly preamble: number;
  readonly tableHeader: 1;
  /** Table rows shown at once. */
  readonly body: number;
  /** Message, prompt or filter line; then the keys. */
  readonly status: 1;
  readonly footer: 1;
}

/** Table rows shown even on a tiny terminal: below this the frame scrolls off instead. */
const MIN_BODY = 3;

/** The layout of the current frame for the terminal's height. */
export function screenLayout(state: TopState): ScreenLayout {
  const header = state.nodes.length * 2;
  const banners = state.nodes.filter((n) => n.link !== 'connected').length;
  const preamble = state.view === 'ports' ? portsPreamble(state).length : 0;
  const fixed = header + 1 + banners + preamble + 1 + 1 + 1;
  return {
    header,
    tabs: 1,
    banners,
    preamble,
    tableHeader: 1,
    body: Math.max(MIN_BODY, state.size.rows - fixed),
    status: 1,
    footer: 1,
  };
}

/**
 * The first row to show so that `selected` (an index, or -1) is visible,
 * moving as little as possible from `scroll`, and never past the end.
 */
export function visibleStart(total: number, selected: number, scroll: number, body: number): number {
  let start = Math.min(Math.max(0, scroll), Math.max(0, total - body));
  if (selected >= 0) {
    if (selected < start) start = selected;
    else if (selected >= start + body) start = selected - body + 1;
  }
  return Math.max(0, start);
}
