import type { Column, Segment } from './columns.js';
import { EVENT_COLUMNS } from './events-columns.js';
import { formatQuantity } from './format.js';
import type { ViewName } from './keys.js';
import type { EventEntry, NodeModel, PortPair, ServerRow } from './model.js';
import { PORT_COLUMNS } from './ports-columns.js';
import { headroomShare } from './ports-model.js';
import { SERVER_COLUMNS, type ServerLine } from './servers-columns.js';
import type { SortOrder, TopState } from './state.js';

/** A line of a table: a backend heading, or an item. */
export type TableRow<R> =
  | { readonly kind: 'group'; readonly key: string; readonly segments: readonly Segment[] }
  | {
      readonly kind: 'item';
      readonly key: string;
      readonly item: R;
      /** Last known data of a daemon that is not connected: drawn dim. */
      readonly stale?: boolean;
    };

/** A view as data: its columns and how its rows come from the state. */
export interface ViewSpec<R> {
  readonly name: ViewName;
  readonly title: string;
  columns(multiNode: boolean): readonly Column<R>[];
  /** Filtered, sorted and grouped rows. */
  rows(state: TopState): TableRow<R>[];
  /** What the body says when there is no row. */
  empty(state: TopState): string;
}

/** The `node` column, first, for any row type that knows its daemon. */
function nodeColumn<R>(nodeOf: (row: R) => number): Column<R> {
  return {
    key: 'node',
    header: 'node',
    width: 8,
    maxWidth: 16,
    align: 'left',
    priority: 1,
    format: (row, _w, ctx) => ctx.nodeName(nodeOf(row)),
    sortValue: (row) => nodeOf(row),
  };
}

function withNode<R>(columns: readonly Column<R>[], nodeOf: (row: R) => number) {
  const node = nodeColumn(nodeOf);
  return (multiNode: boolean): readonly Column<R>[] => (multiNode ? [node, ...columns] : columns);
}

const serverColumns = withNode(SERVER_COLUMNS, (l: ServerLine) => l.row.node);
const portColumns = withNode(PORT_COLUMNS, (p: PortPair) => p.node);
const eventColumns = withNode(EVENT_COLUMNS, (e: EventEntry) => e.node);

/** Case-insensitive substring match over a row's words. */
function matches(filter: string, ...words: readonly string[]): boolean {
  if (filter === '') return true;
  const needle = filter.toLowerCase();
  return words.some((w) => w.toLowerCase().includes(needle));
}

/** Sorts `items` by the view's sort order; a stable sort keeps the default order between equals. */
function sortItems<R>(items: R[], columns: readonly Column<R>[], sort: SortOrder | undefined): R[] {
  const column = sort === undefined ? undefined : columns.find((c) => c.key === sort.column);
  const value = column?.sortValue;
  if (value === undefined || sort === undefined) return items;
  const keyed = items.map((item) => ({ item, v: value(item) }));
  keyed.sort((a, b) => {
    const order = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return sort.descending ? -order : order;
  });
  return keyed.map((k) => k.item);
}

type PortFigures = { timeWait: number | undefined; used: number; range: number };

/**
 * Port figures toward each server of a daemon, by `backend/server` name and
 * by server address: TIME_WAIT summed over the source addresses, ports of
 * the busiest source. Names come with the daemon's reports and work at
 * level user, where the stats rows carry no address.
 */
function portsByServer(node: NodeModel): Map<string, PortFigures> {
  const out = new Map<string, PortFigures>();
  const add = (key: string, pair: PortPair) => {
    const seen = out.get(key);
    if (seen === undefined) {
      out.set(key, { timeWait: pair.timeWait, used: pair.used, range: pair.range });
      return;
    }
    const timeWait =
      seen.timeWait === undefined && pair.timeWait === undefined
        ? undefined
        : (seen.timeWait ?? 0) + (pair.timeWait ?? 0);
    const busier = headroomShare(pair) < headroomShare(seen);
    out.set(key, {
      timeWait,
      used: busier ? pair.used : seen.used,
      range: busier ? pair.range : seen.range,
    });
  };
  for (const pair of node.ports?.pairs ?? []) {
    add(pair.destination, pair);
    for (const name of pair.servers) add(`name:${name}`, pair);
  }
  return out;
}

/** Every server line of every daemon, with its port figures, in the daemons' order. */
export function serverLines(state: TopState): ServerLine[] {
  const lines: ServerLine[] = [];
  for (const node of state.nodes) {
    const ports = node.ports === undefined ? undefined : portsByServer(node);
    for (const row of node.servers) {
      const p = ports?.get(`name:${row.backend}/${row.server}`) ?? ports?.get(row.address);
      lines.push({ row, timeWait: p?.timeWait, portsUsed: p?.used, portsRange: p?.range });
    }
  }
  return lines;
}

/** Up, down and other (drain, maintenance, no-LB) counts of some servers. */
export function stateCounts(rows: Iterable<ServerRow>): { up: number; down: number; other: number } {
  const counts = { up: 0, down: 0, other: 0 };
  for (const r of rows) {
    if (r.kind === 'up' || r.kind === 'going-down' || r.kind === 'nocheck') counts.up++;
    else if (r.kind === 'down' || r.kind === 'going-up') counts.down++;
    else counts.other++;
  }
  return counts;
}

function groupHeading(backend: string, lines: readonly ServerLine[]): Segment[] {
  const counts = stateCounts(lines.map((l) => l.row));
  const sessions = lines.reduce((n, l) => n + l.row.sessions, 0);
  const rate = lines.reduce((n, l) => n + l.row.rate, 0);
  return [
    { text: backend, bold: true, color: 'cyan' },
    { text: '  ' },
    { text: `${counts.up} up`, color: 'green' },
    { text: ' ' },
    { text: `${counts.down} down`, color: counts.down > 0 ? 'red' : undefined, dim: counts.down === 0 },
    ...(counts.other > 0 ? [{ text: ' ' }, { text: `${counts.other} out`, color: 'yellow' as const }] : []),
    { text: `  ${formatQuantity(sessions)} sess  ${formatQuantity(rate)}/s`, dim: true },
  ];
}

const SERVERS: ViewSpec<ServerLine> = {
  name: 'servers',
  title: 'Servers',
  columns: serverColumns,
  rows(state) {
    const filter = state.filter.servers;
    const names = state.nodes.map((n) => n.name);
    const groups = new Map<string, ServerLine[]>();
    for (const line of serverLines(state)) {
      const r = line.row;
      if (!matches(filter, names[r.node] ?? '', r.backend, r.server, r.status, `${r.backend}/${r.server}`))
        continue;
      const group = groups.get(r.backend) ?? [];
      if (group.length === 0) groups.set(r.backend, group);
      group.push(line);
    }
    const columns = serverColumns(state.nodes.length > 1);
    const out: TableRow<ServerLine>[] = [];
    for (const [backend, lines] of groups) {
      // The same server on every daemon side by side: an active/standby pair reads as pairs.
      lines.sort((a, b) => a.row.serverId - b.row.serverId || a.row.node - b.row.node);
      out.push({ kind: 'group', key: `group\u0000${backend}`, segments: groupHeading(backend, lines) });
      for (const item of sortItems(lines, columns, state.sort.servers)) {
        out.push({
          kind: 'item',
          key: item.row.key,
          item,
          stale: state.nodes[item.row.node]?.link !== 'connected',
        });
      }
    }
    return out;
  },
  empty: (state) =>
    state.nodes.every((n) => n.snapshotTime === undefined)
      ? 'waiting for the first stats snapshot...'
      : state.filter.servers === ''
        ? 'no servers'
        : `no server matches '${state.filter.servers}'`,
};

const PORTS: ViewSpec<PortPair> = {
  name: 'ports',
  title: 'Ports',
  columns: portColumns,
  rows(state) {
    const filter = state.filter.ports;
    const names = state.nodes.map((n) => n.name);
    const pairs = state.nodes
      .flatMap((n) => n.ports?.pairs ?? [])
      .filter((p) => matches(filter, names[p.node] ?? '', p.source, p.destination, p.server ?? ''));
    // The tightest pair first unless the operator sorts otherwise.
    pairs.sort((a, b) => headroomShare(a) - headroomShare(b));
    return sortItems(pairs, portColumns(state.nodes.length > 1), state.sort.ports).map((item) => ({
      kind: 'item' as const,
      key: item.key,
      item,
    }));
  },
  empty: (state) =>
    state.nodes.every((n) => n.ports === undefined)
      ? 'no port data yet: the daemon has not reported source ports'
      : `no source/server pair matches '${state.filter.ports}'`,
};

const EVENTS: ViewSpec<EventEntry> = {
  name: 'events',
  title: 'Events',
  columns: eventColumns,
  rows(state) {
    const filter = state.filter.events;
    const names = state.nodes.map((n) => n.name);
    const events = state.events.filter((e) =>
      matches(filter, names[e.node] ?? '', e.kind, e.subject, e.text),
    );
    return sortItems(events, eventColumns(state.nodes.length > 1), state.sort.events).map((item) => ({
      kind: 'item' as const,
      key: String(item.seq),
      item,
    }));
  },
  empty: (state) =>
    state.filter.events === '' ? 'no events yet' : `no event matches '${state.filter.events}'`,
};

/** Every view by name. */
export const VIEW_SPECS = { servers: SERVERS, ports: PORTS, events: EVENTS } as const;

/** A view's spec without its row type, for code that handles any view. */
export function viewSpec(view: ViewName): ViewSpec<unknown> {
  return VIEW_SPECS[view] as unknown as ViewSpec<unknown>;
}
