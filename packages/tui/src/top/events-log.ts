import type { AdminActionEvent, LbEvent } from '@lbctl/protocol';
import type { EventEntry } from './model.js';

/** Events kept for the events view; older ones fall off. */
export const MAX_EVENTS = 1000;

function subjectOf(backend: string | undefined, server: string | undefined): string {
  if (backend === undefined) return '';
  return server === undefined ? backend : `${backend}/${server}`;
}

/** The arguments of an admin action that say what it did (the target is in the subject). */
function actionArgs(event: AdminActionEvent): string {
  const parts = Object.entries(event.args)
    .filter(([k]) => k !== 'backend' && k !== 'server')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/** Where an admin action came from, as an operator reads it: `json over unix /run/lbd/admin.sock (admin)`. */
function origin(event: AdminActionEvent): string {
  const s = event.source;
  return `${s.dialect} over ${s.transport} ${s.socket} (${s.level})`;
}

/** Up is fine, DOWN is an error, anything on the way or out of rotation is a warning. */
function statusSeverity(status: string): EventEntry['severity'] {
  if (status.startsWith('DOWN')) return 'error';
  if (status === 'UP' || status === 'no check') return 'info';
  return 'warning';
}

/** A daemon event as a line of the events view. */
export function toEventEntry(node: number, event: LbEvent, seq: number): EventEntry {
  const base = { seq, time: event.time, node };
  switch (event.topic) {
    case 'server':
      return {
        ...base,
        kind: 'state',
        subject: subjectOf(event.backend, event.server),
        text: `${event.field} ${event.from} -> ${event.to}, now ${event.status}${event.reason === '' ? '' : `: ${event.reason}`}`,
        severity: event.field === 'health' && event.to === 'down' ? 'error' : statusSeverity(event.status),
      };
    case 'admin':
      return {
        ...base,
        kind: 'admin',
        subject: subjectOf(event.backend, event.server),
        text: `${event.command}${actionArgs(event)} by ${origin(event)}${event.ok ? '' : ` failed: ${event.error ?? 'error'}`}`,
        severity: event.ok ? 'info' : 'error',
      };
    case 'check': {
      const result =
        event.checkStatus === undefined
          ? ''
          : ` [${event.checkStatus}${event.checkDurationMs === undefined ? '' : ` ${event.checkDurationMs}ms`}]`;
      return {
        ...base,
        kind: 'check',
        subject: subjectOf(event.backend, event.server),
        text: `${event.from} -> ${event.to} (${event.source}): ${event.reason}${result}`,
        severity: statusSeverity(event.to),
      };
    }
    case 'reload':
      return {
        ...base,
        kind: 'reload',
        subject: '',
        text: `reload ${event.phase}${event.detail === undefined ? '' : `: ${event.detail}`}`,
        severity: event.phase === 'failed' ? 'error' : 'info',
      };
    case 'ports':
      return {
        ...base,
        kind: 'ports',
        subject: event.destination,
        text: `from ${event.source}: ${event.used} ports used, ${event.available} left (${event.level})`,
        severity: event.level === 'critical' ? 'error' : event.level === 'warning' ? 'warning' : 'info',
      };
    case 'worker':
      return {
        ...base,
        kind: 'worker',
        subject: `worker ${event.worker}`,
        text: event.detail,
        severity: event.what === 'died' ? 'error' : 'info',
      };
  }
}

/** Prepends an entry (newest first) and keeps at most {@link MAX_EVENTS}. */
export function pushEvent(events: readonly EventEntry[], entry: EventEntry): EventEntry[] {
  const next = [entry, ...events];
  if (next.length > MAX_EVENTS) next.length = MAX_EVENTS;
  return next;
}
