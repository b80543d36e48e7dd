import { colourStatus, type Palette } from '../colour.js';
import { formatDuration } from '../duration.js';
import { type Column, csvField, renderTable } from '../table.js';
import type { BackendStatus, DaemonStatus, ServerStatus, SessionCounts } from './model.js';

/** A table line: a backend (aggregate) or one of its servers. */
type Line = { kind: 'backend'; backend: BackendStatus } | { kind: 'server'; server: ServerStatus };

function limit(s: SessionCounts): string {
  return s.limit === null ? '-' : String(s.limit);
}

function checkText(s: ServerStatus): string {
  if (!s.check.configured) return '-';
  if (!s.check.enabled) return 'disabled';
  const parts = [s.check.status ?? ''];
  if (s.check.code !== null) parts[0] += `/${s.check.code}`;
  if (s.check.durationMs !== null) parts.push(`${s.check.durationMs}ms`);
  return parts.join(' ').trim();
}

function ago(sec: number | null): string {
  if (sec === null) return '-';
  return sec < 60 ? `${sec}s` : formatDuration(sec * 1000);
}

function columns(p: Palette): Column<Line>[] {
  const pick = <T>(line: Line, backend: (b: BackendStatus) => T, server: (s: ServerStatus) => T): T =>
    line.kind === 'backend' ? backend(line.backend) : server(line.server);
  /** A field backends and servers both carry under the same name. */
  const shared = <K extends keyof BackendStatus & keyof ServerStatus>(line: Line, key: K) =>
    line.kind === 'backend' ? line.backend[key] : line.server[key];
  return [
    {
      header: 'NAME',
      cell: (l) =>
        pick(
          l,
          (b) => p.bold(b.name),
          (s) => `  ${s.server}${s.backup ? ' (backup)' : ''}`,
        ),
    },
    {
      header: 'STATUS',
      cell: (l) => colourStatus(p, shared(l, 'status')),
    },
    { header: 'CHECK', cell: (l) => pick(l, () => '', checkText) },
    {
      header: 'WEIGHT',
      align: 'right',
      cell: (l) => String(shared(l, 'weight')),
    },
    {
      header: 'CUR',
      align: 'right',
      cell: (l) => String(shared(l, 'sessions').current),
    },
    {
      header: 'MAX',
      align: 'right',
      cell: (l) => String(shared(l, 'sessions').max),
    },
    {
      header: 'LIMIT',
      align: 'right',
      cell: (l) => limit(shared(l, 'sessions')),
    },
    {
      header: 'QUEUE',
      align: 'right',
      cell: (l) => String(shared(l, 'queue').current),
    },
    {
      header: 'RATE',
      align: 'right',
      cell: (l) => String(shared(l, 'rate').current),
    },
    {
      header: 'LASTCHG',
      align: 'right',
      cell: (l) => ago(shared(l, 'lastChangeSec')),
    },
  ];
}

/** The status of one daemon as a table: each backend, then its servers indented. */
export function renderStatusTable(status: DaemonStatus, p: Palette): string {
  const lines: Line[] = [];
  for (const backend of status.backends) {
    lines.push({ kind: 'backend', backend });
    for (const server of backend.servers) lines.push({ kind: 'server', server });
  }
  if (lines.length === 0) return '(no backends)\n';
  return renderTable(columns(p), lines);
}

/** The columns of `status --csv`, in order; part of the scripting contract. */
export const STATUS_CSV_COLUMNS = [
  'target',
  'backend',
  'server',
  'status',
  'admin',
  'health',
  'check_status',
  'check_code',
  'check_duration',
  'weight',
  'scur',
  'smax',
  'slim',
  'qcur',
  'rate',
  'lastchg',
] as const;

/** `status --csv`: a header, then one line per server (`server` is `BACKEND` for the aggregate). */
export function renderStatusCsv(daemons: readonly DaemonStatus[]): string {
  const out = [STATUS_CSV_COLUMNS.join(',')];
  for (const d of daemons) {
    for (const b of d.backends) {
      const aggregate: (string | number | null)[] = [
        d.target,
        b.name,
        'BACKEND',
        b.status,
        null,
        null,
        null,
        null,
        null,
        b.weight,
        b.sessions.current,
        b.sessions.max,
        b.sessions.limit,
        b.queue.current,
        b.rate.current,
        b.lastChangeSec,
      ];
      out.push(aggregate.map(csvField).join(','));
      for (const s of b.servers) {
        const cells: (string | number | null)[] = [
          d.target,
          b.name,
          s.server,
          s.status,
          s.admin,
          s.health,
          s.check.status,
          s.check.code,
          s.check.durationMs,
          s.weight,
          s.sessions.current,
          s.sessions.max,
          s.sessions.limit,
          s.queue.current,
          s.rate.current,
          s.lastChangeSec,
        ];
        out.push(cells.map(csvField).join(','));
      }
    }
  }
  return `${out.join('\n')}\n`;
}
