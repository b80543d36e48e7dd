import type { Logger } from 'pino';
import type { ServerModel } from '../model/index.js';
import type { CheckResult } from './check-types.js';
import type { HealthEventSource, HealthEvents } from './events.js';

/** The statuses of a server out of rotation, logged as warnings (`DOWN 1/2` is on its way back). */
const OUT_OF_ROTATION = /^(DOWN|DOWN \(agent\)|MAINT)$/;

/** A check result in words for events and logs: `L4CON: Connection refused`, `L7STS/503: Service Unavailable`. */
export function reasonOf(result: CheckResult): string {
  const code = result.code === undefined ? '' : `/${result.code}`;
  return `${result.status}${code}${result.text === '' ? '' : `: ${result.text}`}`;
}

/**
 * Runs `mutate` (which moves the server's state); if the server's displayed
 * status changed, publishes the health event and logs it: one record per
 * transition, `server TO`, warn when the server leaves rotation.
 */
export function recordTransition(
  sink: { events: HealthEvents; log: Logger },
  server: ServerModel,
  source: HealthEventSource,
  reason: string,
  result: CheckResult | undefined,
  mutate: () => void,
): void {
  const from = server.status;
  mutate();
  const to = server.status;
  if (from === to) return;
  const backend = server.backendName;
  const checkDurationMs = result?.durationMs;
  sink.events.publish({
    backend,
    server: server.name,
    from,
    to,
    reason,
    source,
    checkStatus: result?.status,
    checkCode: result?.code,
    checkDurationMs,
  });
  const record = { backend, server: server.name, from, to, reason, source, checkDurationMs };
  if (OUT_OF_ROTATION.test(to)) sink.log.warn(record, `server ${to}`);
  else sink.log.info(record, `server ${to}`);
}
