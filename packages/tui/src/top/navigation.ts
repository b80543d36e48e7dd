import { fitColumns } from './columns.js';
import type { Intent } from './keys.js';
import { screenLayout, visibleStart } from './layout.js';
import type { ServerTarget } from './server-actions.js';
import type { ServerLine } from './servers-columns.js';
import type { TopState } from './state.js';
import { type TableRow, VIEW_SPECS, viewSpec } from './views.js';

/** The index of the selected row among `rows`: the stored key, else the first item; -1 when none. */
export function selectedIndex(rows: readonly TableRow<unknown>[], key: string | undefined): number {
  if (key !== undefined) {
    const i = rows.findIndex((r) => r.kind === 'item' && r.key === key);
    if (i >= 0) return i;
  }
  return rows.findIndex((r) => r.kind === 'item');
}

/** The first row shown: the selection visible, and a backend's heading with its first server. */
export function windowStart(
  rows: readonly TableRow<unknown>[],
  selected: number,
  scroll: number,
  body: number,
): number {
  const start = visibleStart(rows.length, selected, scroll, body);
  return selected > 0 && selected === start && rows[selected - 1]?.kind === 'group' ? start - 1 : start;
}

function itemIndexes(rows: readonly TableRow<unknown>[]): number[] {
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (r.kind === 'item') out.push(i);
  });
  return out;
}

/** Moves the selection (and the scroll with it) in the current view. */
export function move(state: TopState, to: Extract<Intent, { type: 'move' }>['to']): TopState {
  const view = state.view;
  const rows = viewSpec(view).rows(state);
  const items = itemIndexes(rows);
  if (items.length === 0) return state;
  const body = screenLayout(state).body;
  const current = Math.max(0, items.indexOf(selectedIndex(rows, state.selected[view])));
  const page = Math.max(1, body - 1);
  const target = {
    up: current - 1,
    down: current + 1,
    'page-up': current - page,
    'page-down': current + page,
    home: 0,
    end: items.length - 1,
  }[to];
  const index = items[Math.min(items.length - 1, Math.max(0, target))]!;
  const start = windowStart(rows, index, state.scroll[view], body);
  return {
    ...state,
    selected: { ...state.selected, [view]: rows[index]!.key },
    scroll: { ...state.scroll, [view]: start },
  };
}

/** The columns of the current view that fit the terminal now. */
export function placedColumns(state: TopState) {
  return fitColumns(viewSpec(state.view).columns(state.nodes.length > 1), state.size.columns);
}

/** Moves the current column left or right among the columns on screen. */
export function moveColumn(state: TopState, delta: 1 | -1): TopState {
  const keys = placedColumns(state).map((p) => p.column.key);
  if (keys.length === 0) return state;
  const now = state.column[state.view];
  const at = now === undefined ? -1 : keys.indexOf(now);
  const next = at < 0 ? (delta > 0 ? 0 : keys.length - 1) : (at + delta + keys.length) % keys.length;
  return { ...state, column: { ...state.column, [state.view]: keys[next] } };
}

/**
 * Sorts by the current column: numbers largest first, words A to Z; the
 * same key again reverses, a third time returns to the default order.
 */
export function sortByColumn(state: TopState): TopState {
  const view = state.view;
  const placed = placedColumns(state);
  const key = state.column[view] ?? placed[0]?.column.key;
  const column = placed.find((p) => p.column.key === key)?.column;
  if (column === undefined) return state;
  if (column.sortValue === undefined) {
    return {
      ...state,
      message: { text: `the ${column.header} column does not sort`, kind: 'error', time: state.now },
    };
  }
  const current = state.sort[view];
  const rows = viewSpec(view).rows(state);
  const first = rows.find((r) => r.kind === 'item');
  const numeric =
    first !== undefined && first.kind === 'item' && typeof column.sortValue(first.item) === 'number';
  let next: TopState['sort'][typeof view];
  if (current === undefined || current.column !== key) next = { column: key!, descending: numeric };
  else if (current.descending === numeric) next = { column: key!, descending: !numeric };
  else next = undefined;
  return { ...state, column: { ...state.column, [view]: key }, sort: { ...state.sort, [view]: next } };
}

/** The server the actions apply to: the selected row of the servers view. */
export function selectedServer(state: TopState): ServerTarget | undefined {
  const rows = VIEW_SPECS.servers.rows(state);
  const row = rows[selectedIndex(rows, state.selected.servers)] as TableRow<ServerLine> | undefined;
  if (row === undefined || row.kind !== 'item') return undefined;
  const r = row.item.row;
  return { key: r.key, node: r.node, backend: r.backend, server: r.server };
}
