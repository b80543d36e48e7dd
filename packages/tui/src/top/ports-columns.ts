import type { Colour, Column } from './columns.js';
import { formatDuration, formatPercent, formatQuantity } from './format.js';
import type { PortPair } from './model.js';
import { headroomShare } from './ports-model.js';

const LEVEL_COLOURS: Readonly<Record<PortPair['level'], Colour | undefined>> = {
  ok: undefined,
  warning: 'yellow',
  critical: 'red',
};

/** The ports view's columns: one row per source address and server. */
export const PORT_COLUMNS: readonly Column<PortPair>[] = [
  {
    key: 'source',
    header: 'source',
    width: 15,
    align: 'left',
    priority: 1,
    format: (p) => p.source,
    sortValue: (p) => p.source,
  },
  {
    key: 'server',
    header: 'server',
    width: 12,
    maxWidth: 30,
    flex: true,
    align: 'left',
    priority: 1,
    format: (p) => p.server ?? p.destination,
    sortValue: (p) => p.server ?? p.destination,
  },
  {
    key: 'destination',
    header: 'destination',
    width: 21,
    align: 'left',
    priority: 4,
    format: (p) => p.destination,
    sortValue: (p) => p.destination,
  },
  {
    key: 'established',
    header: 'ESTAB',
    width: 6,
    align: 'right',
    priority: 2,
    format: (p) => formatQuantity(p.established),
    sortValue: (p) => p.established ?? -1,
  },
  {
    key: 'timeWait',
    header: 'TIME_W',
    width: 6,
    align: 'right',
    priority: 2,
    format: (p) => formatQuantity(p.timeWait),
    sortValue: (p) => p.timeWait ?? -1,
  },
  {
    key: 'other',
    header: 'other',
    width: 5,
    align: 'right',
    priority: 3,
    format: (p) => formatQuantity(p.other),
    sortValue: (p) => p.other ?? -1,
  },
  {
    key: 'used',
    header: 'used/range',
    width: 11,
    align: 'right',
    priority: 1,
    format: (p) => `${formatQuantity(p.used)}/${formatQuantity(p.range)}`,
    sortValue: (p) => p.used,
  },
  {
    key: 'headroom',
    header: 'free',
    width: 5,
    align: 'right',
    priority: 1,
    format: (p) => ({
      text: formatPercent(headroomShare(p)),
      color: LEVEL_COLOURS[p.level],
      bold: p.level === 'critical',
    }),
    sortValue: (p) => headroomShare(p),
  },
  {
    key: 'newPerSec',
    header: 'new/s',
    width: 6,
    align: 'right',
    priority: 2,
    format: (p) => formatQuantity(p.newPerSec),
    sortValue: (p) => p.newPerSec ?? -1,
  },
  {
    key: 'exhaustion',
    header: 'full in',
    width: 7,
    align: 'right',
    priority: 2,
    format: (p) => ({
      text: p.exhaustionSec === undefined ? '-' : formatDuration(p.exhaustionSec),
      color: p.exhaustionSec !== undefined && p.exhaustionSec < 600 ? 'red' : undefined,
    }),
    // Pairs that never run out sort last when the soonest comes first.
    sortValue: (p) => p.exhaustionSec ?? Number.MAX_SAFE_INTEGER,
  },
];
