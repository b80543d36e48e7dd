import type { Colour, Column, Segment } from './columns.js';
import { bar, formatBytesRate, formatDuration, formatQuantity, type Glyphs, sparkline } from './format.js';
import type { ServerRow, StateKind } from './model.js';

/** A server row with the port figures toward its address, when the daemon reports ports. */
export interface ServerLine {
  readonly row: ServerRow;
  /** TIME_WAIT sockets toward the server, all source addresses. */
  readonly timeWait: number | undefined;
  /** Source ports in use toward the server (the busiest source address) and that source's range. */
  readonly portsUsed: number | undefined;
  readonly portsRange: number | undefined;
}

/** Colour of each state, the same in every view and in the header. */
export const STATE_COLOURS: Readonly<Record<StateKind, Colour>> = {
  up: 'green',
  down: 'red',
  drain: 'yellow',
  maint: 'blue',
  'going-down': 'yellow',
  'going-up': 'yellow',
  nolb: 'magenta',
  nocheck: 'green',
};

/** Sort order of states: the ones that need attention first. */
const STATE_RANK: Readonly<Record<StateKind, number>> = {
  down: 0,
  'going-up': 1,
  'going-down': 2,
  maint: 3,
  drain: 4,
  nolb: 5,
  up: 6,
  nocheck: 7,
};

/**
 * The state word with the direction of a transition: HAProxy's `DOWN 1/2`
 * (one good check of two) reads `DOWN ↑1/2`, `UP 1/3` reads `UP ↓1/3`.
 */
export function stateText(row: Pick<ServerRow, 'status' | 'kind'>, glyphs: Glyphs): string {
  const progress = /^(\S+) (\d+\/\d+)$/.exec(row.status);
  if (progress === null) return row.status;
  return `${progress[1]} ${row.kind === 'going-up' ? glyphs.rising : glyphs.falling}${progress[2]}`;
}

function stateCell(row: ServerRow, glyphs: Glyphs): Segment {
  return { text: stateText(row, glyphs), color: STATE_COLOURS[row.kind], bold: row.kind === 'down' };
}

function checkCell(row: ServerRow): Segment {
  if (row.checkStatus === '') return { text: '-', dim: true };
  const ok = row.checkStatus.endsWith('OK') || row.checkStatus === 'INI';
  const ms = row.checkMs === undefined ? '' : ` ${row.checkMs}ms`;
  return { text: `${row.checkStatus}${ms}`, color: ok ? undefined : 'red' };
}

function sessionsText(row: ServerRow): string {
  return row.limit === undefined ? String(row.sessions) : `${row.sessions}/${row.limit}`;
}

/** The load bar: sessions against the limit, or against the highest count seen when unlimited. */
function loadCell(row: ServerRow, width: number, glyphs: Glyphs): Segment {
  const max = row.limit ?? Math.max(row.maxSessions, 1);
  const share = max <= 0 ? 0 : row.sessions / max;
  const colour: Colour = share >= 0.9 ? 'red' : share >= 0.7 ? 'yellow' : 'green';
  return { text: bar(row.sessions, max, width, glyphs), color: colour };
}

function errorsText(row: ServerRow): string {
  return `${formatQuantity(row.connectErrors)}/${formatQuantity(row.retries)}/${formatQuantity(row.redispatches)}`;
}

/** The servers view's columns (the node column is added when several daemons are shown). */
export const SERVER_COLUMNS: readonly Column<ServerLine>[] = [
  {
    key: 'server',
    header: 'server',
    width: 10,
    maxWidth: 28,
    flex: true,
    align: 'left',
    priority: 1,
    format: ({ row }) => (row.backup ? [{ text: row.server }, { text: ' bk', dim: true }] : row.server),
    sortValue: ({ row }) => row.server,
  },
  {
    key: 'state',
    header: 'state',
    width: 10,
    align: 'left',
    priority: 1,
    format: ({ row }, _w, ctx) => stateCell(row, ctx.glyphs),
    sortValue: ({ row }) => STATE_RANK[row.kind],
  },
  {
    key: 'check',
    header: 'check',
    width: 10,
    align: 'left',
    priority: 2,
    format: ({ row }) => checkCell(row),
    sortValue: ({ row }) => row.checkStatus,
  },
  {
    key: 'since',
    header: 'since',
    width: 6,
    align: 'right',
    priority: 4,
    format: ({ row }) => formatDuration(row.lastChangeSec),
    sortValue: ({ row }) => row.lastChangeSec,
  },
  {
    key: 'weight',
    header: 'wght',
    width: 7,
    align: 'right',
    priority: 2,
    format: ({ row }) => ({
      text: row.initialWeight === undefined ? String(row.weight) : `${row.weight}/${row.initialWeight}`,
      color: row.initialWeight !== undefined && row.weight !== row.initialWeight ? 'yellow' : undefined,
    }),
    sortValue: ({ row }) => row.weight,
  },
  {
    key: 'sessions',
    header: 'sess',
    width: 7,
    align: 'right',
    priority: 1,
    format: ({ row }) => sessionsText(row),
    sortValue: ({ row }) => row.sessions,
  },
  {
    key: 'load',
    header: 'load',
    width: 8,
    align: 'left',
    priority: 5,
    format: ({ row }, width, ctx) => loadCell(row, width, ctx.glyphs),
    sortValue: ({ row }) => (row.limit === undefined ? 0 : row.sessions / row.limit),
  },
  {
    key: 'smax',
    header: 'smax',
    width: 5,
    align: 'right',
    priority: 6,
    format: ({ row }) => formatQuantity(row.maxSessions),
    sortValue: ({ row }) => row.maxSessions,
  },
  {
    key: 'queue',
    header: 'q',
    width: 3,
    align: 'right',
    priority: 3,
    format: ({ row }) => ({ text: formatQuantity(row.queue), color: row.queue > 0 ? 'yellow' : undefined }),
    sortValue: ({ row }) => row.queue,
  },
  {
    key: 'rate',
    header: 'rate',
    width: 5,
    align: 'right',
    priority: 2,
    format: ({ row }) => formatQuantity(row.rate),
    sortValue: ({ row }) => row.rate,
  },
  {
    key: 'trend',
    header: 'last minute',
    width: 12,
    maxWidth: 30,
    align: 'left',
    priority: 5,
    format: ({ row }, width, ctx) => ({ text: sparkline(row.rateHistory, width, ctx.glyphs), color: 'cyan' }),
  },
  {
    key: 'in',
    header: 'in/s',
    width: 6,
    align: 'right',
    priority: 3,
    format: ({ row }) => formatBytesRate(row.bytesInPerSec),
    sortValue: ({ row }) => row.bytesInPerSec ?? 0,
  },
  {
    key: 'out',
    header: 'out/s',
    width: 6,
    align: 'right',
    priority: 3,
    format: ({ row }) => formatBytesRate(row.bytesOutPerSec),
    sortValue: ({ row }) => row.bytesOutPerSec ?? 0,
  },
  {
    key: 'errors',
    header: 'econ/retr/redis',
    width: 15,
    align: 'right',
    priority: 5,
    format: ({ row }) => ({
      text: errorsText(row),
      color: row.connectErrors + row.retries + row.redispatches > 0 ? 'red' : undefined,
    }),
    sortValue: ({ row }) => row.connectErrors + row.retries + row.redispatches,
  },
  {
    key: 'tw',
    header: 'TW',
    width: 6,
    align: 'right',
    priority: 5,
    format: (line) => formatQuantity(line.timeWait),
    sortValue: (line) => line.timeWait ?? -1,
  },
  {
    key: 'ports',
    header: 'ports',
    width: 12,
    align: 'right',
    priority: 5,
    format: (line) =>
      line.portsUsed === undefined
        ? '-'
        : `${formatQuantity(line.portsUsed)}/${formatQuantity(line.portsRange)}`,
    sortValue: (line) =>
      line.portsUsed === undefined || !line.portsRange ? -1 : line.portsUsed / line.portsRange,
  },
  {
    key: 'address',
    header: 'address',
    width: 21,
    align: 'left',
    priority: 7,
    format: ({ row }) => row.address || '-',
    sortValue: ({ row }) => row.address,
  },
];
