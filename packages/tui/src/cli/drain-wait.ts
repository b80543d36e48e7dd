import { type LbClient, type Push, STATS_INTERVAL_MS, type StatRow } from '@lbctl/protocol';
import type { ServerName } from '../connection/index.js';
import { DaemonUnreachableError, WaitTimeoutError } from '../errors.js';
import { formatDuration } from './duration.js';
import { qualified } from './servers.js';

/** Options of {@link waitForDrain}. */
export interface DrainWaitOptions {
  /** Give up after this many ms ({@link WaitTimeoutError}); undefined waits for ever. */
  timeoutMs?: number | undefined;
  /** After this many ms, close the sessions still open (`shutdown-sessions`). */
  killAfterMs?: number | undefined;
  /**
   * Interval of the stats subscription, in ms: how soon after the last session
   * ends the wait returns. @default 100 (the protocol's minimum)
   */
  intervalMs?: number;
  /** Epoch ms (injected for tests). */
  now(): number;
  /** Called with the sessions left per server on every snapshot. */
  onProgress?(remaining: ReadonlyMap<string, number>, elapsedMs: number): void;
  /** Called after `--kill-after` closed sessions on a server. */
  onKill?(name: ServerName, killed: number): void;
  /** Rejects when the user interrupts; the wait then stops with that error. */
  interrupted?: Promise<never>;
}

/** How a drain wait ended (successfully). */
export interface DrainWaitResult {
  drained: true;
  elapsedMs: number;
  /** Sessions closed by `--kill-after`. */
  killed: number;
}

/** Sessions still on a server: those running plus those queued for it. */
function sessionsLeft(row: StatRow | undefined): number {
  if (row === undefined) return 0;
  return Number(row.scur ?? 0) + Number(row.qcur ?? 0);
}

/**
 * Waits until every named server has no session left, reading the daemon's
 * stats subscription (pushed, not polled: the first snapshot comes at once,
 * then one every `intervalMs`). Rejects with {@link WaitTimeoutError} at
 * `timeoutMs`, with {@link DaemonUnreachableError} if the connection drops,
 * or with the interrupt's error. The servers' admin state is not touched.
 */
export function waitForDrain(
  client: LbClient,
  names: readonly ServerName[],
  opts: DrainWaitOptions,
): Promise<DrainWaitResult> {
  const started = opts.now();
  const remaining = new Map<string, number>(names.map((n) => [qualified(n), Number.NaN]));
  let killed = 0;
  /** A `--kill-after` request in flight: its reply, not a stats push, says how many it closed. */
  let killing: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe: (() => Promise<void>) | undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: Error | undefined): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      client.off('close', onClose);
      unsubscribe?.().catch(() => {});
      if (err === undefined) resolve({ drained: true, elapsedMs: opts.now() - started, killed });
      else reject(err);
    };
    const onClose = () =>
      finish(new DaemonUnreachableError('the connection to lbd closed while waiting for the drain'));
    const onPush = (push: Push) => {
      if (push.topic !== 'stats') return;
      const rows = new Map<string, StatRow>();
      for (const row of push.data.rows) rows.set(`${row.pxname}/${row.svname}`, row);
      let total = 0;
      for (const key of remaining.keys()) {
        const left = sessionsLeft(rows.get(key));
        remaining.set(key, left);
        total += left;
      }
      opts.onProgress?.(remaining, opts.now() - started);
      if (total !== 0) return;
      // The daemon may publish the emptied server before it answers the kill.
      if (killing === undefined) finish(undefined);
      else void killing.then(() => finish(undefined));
    };
    client.once('close', onClose);
    opts.interrupted?.catch((err: Error) => finish(err));
    if (opts.timeoutMs !== undefined) {
      const timeoutMs = opts.timeoutMs;
      timers.push(setTimeout(() => finish(timeoutError(remaining, timeoutMs)), timeoutMs));
    }
    if (opts.killAfterMs !== undefined) {
      timers.push(
        setTimeout(() => {
          killing = killStragglers(client, names, remaining, opts).then(
            (n) => {
              killed += n;
            },
            (err: Error) => finish(err),
          );
        }, opts.killAfterMs),
      );
    }
    client.subscribe(['stats'], onPush, opts.intervalMs ?? STATS_INTERVAL_MS.min).then(
      (sub) => {
        unsubscribe = sub.unsubscribe;
        if (done) sub.unsubscribe().catch(() => {});
      },
      (err: Error) => finish(err),
    );
  });
}

async function killStragglers(
  client: LbClient,
  names: readonly ServerName[],
  remaining: ReadonlyMap<string, number>,
  opts: DrainWaitOptions,
): Promise<number> {
  let total = 0;
  for (const name of names) {
    // NaN: no snapshot yet; close anyway, the deadline has passed.
    if (remaining.get(qualified(name)) === 0) continue;
    const { killed } = await client.request('shutdown-sessions', name);
    total += killed;
    opts.onKill?.(name, killed);
  }
  return total;
}

function timeoutError(remaining: ReadonlyMap<string, number>, timeoutMs: number): WaitTimeoutError {
  const left = [...remaining]
    .filter(([, n]) => n !== 0)
    .map(([key, n]) =>
      Number.isNaN(n) ? `${key} (no stats yet)` : `${key}: ${n} session${n === 1 ? '' : 's'}`,
    );
  return new WaitTimeoutError(
    `timed out after ${formatDuration(timeoutMs)} waiting for the drain; still open: ${left.join(', ')} (left in DRAIN)`,
  );
}
