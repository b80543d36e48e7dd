import type { Colour, Column } from './columns.js';
import { formatClock } from './format.js';
import type { EventEntry, EventKind } from './model.js';

const KIND_LABELS: Readonly<Record<EventKind, string>> = {
  state: 'STATE',
  admin: 'ADMIN',
  check: 'CHECK',
  reload: 'RELOAD',
  ports: 'PORTS',
  worker: 'WORKER',
  link: 'LINK',
};

const SEVERITY_COLOURS: Readonly<Record<EventEntry['severity'], Colour | undefined>> = {
  info: undefined,
  warning: 'yellow',
  error: 'red',
};

/** The events view's columns, newest event first. */
export const EVENT_COLUMNS: readonly Column<EventEntry>[] = [
  {
    key: 'time',
    header: 'time',
    width: 8,
    align: 'left',
    priority: 1,
    format: (e) => formatClock(e.time),
    sortValue: (e) => e.seq,
  },
  {
    key: 'kind',
    header: 'kind',
    width: 6,
    align: 'left',
    priority: 1,
    format: (e) => ({ text: KIND_LABELS[e.kind], color: SEVERITY_COLOURS[e.severity] }),
    sortValue: (e) => e.kind,
  },
  {
    key: 'subject',
    header: 'server',
    width: 16,
    align: 'left',
    priority: 1,
    format: (e) => e.subject || '-',
    sortValue: (e) => e.subject,
  },
  {
    key: 'text',
    header: 'what',
    width: 30,
    maxWidth: 400,
    flex: true,
    align: 'left',
    priority: 1,
    format: (e) => ({ text: e.text, color: SEVERITY_COLOURS[e.severity] }),
    sortValue: (e) => e.text,
  },
];
