import type { LbEvent } from '@lbctl/protocol';
import { colourStatus, type Palette } from './colour.js';

function where(e: { backend?: string | undefined; server?: string | undefined }): string {
  if (e.backend === undefined) return '';
  return e.server === undefined ? e.backend : `${e.backend}/${e.server}`;
}

/** One event as a log line: ISO time, topic, then what happened. */
export function formatEvent(p: Palette, e: LbEvent): string {
  const time = new Date(e.time).toISOString();
  const head = `${time} ${e.topic.padEnd(6)}`;
  switch (e.topic) {
    case 'server':
      return `${head} ${where(e)} ${e.field} ${e.from} -> ${e.to} (${colourStatus(p, e.status)}) ${e.reason}`.trimEnd();
    case 'check':
      return `${head} ${where(e)} ${e.from} -> ${colourStatus(p, e.to)} (${e.source}: ${e.reason})`;
    case 'admin': {
      const args = Object.entries(e.args)
        .filter(([k]) => k !== 'backend' && k !== 'server')
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const outcome = e.ok ? p.green('ok') : p.red(`failed ${e.error ?? ''}`.trim());
      const from = `${e.source.transport} ${e.source.dialect} ${e.source.socket} ${e.source.level}`;
      return `${head} ${e.command} ${where(e)} ${args} ${outcome} (from ${from})`.replace(/ {2,}/g, ' ');
    }
    case 'reload':
      return `${head} ${e.phase}${e.detail === undefined ? '' : ` ${e.detail}`}`;
    case 'ports':
      return `${head} ${e.source} -> ${e.destination} ${e.used}/${e.available} ports used (${e.level})`;
    case 'worker':
      return `${head} ${e.what === 'died' ? p.red(e.detail) : e.detail}`;
  }
}

/** True when an event concerns the given backend (events without one always pass). */
export function eventInBackend(e: LbEvent, backend: string | undefined): boolean {
  if (backend === undefined) return true;
  const b = (e as { backend?: string }).backend;
  return b === undefined || b === backend;
}
