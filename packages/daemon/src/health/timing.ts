import type { ServerConfig, Timeouts } from '../config/types.js';
import type { CheckOutcome, CheckState, ServerModel } from '../model/index.js';

/**
 * The arithmetic of HAProxy's health checks: the counter, the interval in
 * force, the spread, and how `timeout check` combines with `timeout
 * connect`. Pure functions, tested on their own.
 */

/**
 * Counts one result. A failure lowers the counter (and counts in `chkfail`)
 * unless it is already 0; below `rise` it drops to 0, DOWN. A success raises
 * it; reaching `rise` lifts it to the top, UP. Neutral results change nothing.
 */
export function countResult(check: CheckState, outcome: CheckOutcome): void {
  if (outcome === 'fail') {
    if (check.health === 0) return;
    check.failures++;
    check.health--;
    if (check.health < check.rise) check.health = 0;
  } else if (outcome === 'pass' || outcome === 'condpass') {
    if (check.health >= check.maxHealth) return;
    check.health++;
    if (check.health >= check.rise) check.health = check.maxHealth;
  }
}

/**
 * The interval in force: `inter` while fully UP, `downinter` while fully
 * DOWN, `fastinter` while the state is changing either way.
 */
export function currentInterval(server: ServerModel): number {
  const c = server.check;
  const cfg: ServerConfig = server.config;
  if (c.health === c.maxHealth) return cfg.inter;
  if (server.health === 'down' && c.health === 0) return cfg.downinter;
  return cfg.fastinter;
}

/**
 * `spread-checks P`: the interval plus or minus up to P % of it, drawn
 * afresh for every check, so checks that started together drift apart.
 * @param random a number in [0, 1). @default Math.random
 */
export function spread(intervalMs: number, percent: number, random: () => number = Math.random): number {
  if (percent <= 0) return intervalMs;
  const range = (intervalMs * percent) / 100;
  return Math.max(1, intervalMs + range - 2 * range * random());
}

/** How long a check may take: to connect, then to get its answers. */
export interface CheckTimeouts {
  connectMs: number;
  /** Read time counted from the connection; undefined means "until `inter` after the start". */
  readAfterConnectMs: number | undefined;
  /** The whole check when `timeout check` is unset: `inter`. */
  overallMs: number;
}

/**
 * HAProxy's rule: with `timeout check`, connecting may take min(`timeout
 * connect`, `inter`) and reading `timeout check` more; without it, `inter`
 * bounds the whole check, connect included.
 */
export function checkTimeouts(interMs: number, timeouts: Timeouts): CheckTimeouts {
  if (timeouts.check === undefined) {
    return { connectMs: interMs, readAfterConnectMs: undefined, overallMs: interMs };
  }
  return {
    connectMs: Math.min(timeouts.connect ?? interMs, interMs),
    readAfterConnectMs: timeouts.check,
    overallMs: interMs,
  };
}

/** The next start time on a fixed cadence: `previous + step`, skipping slots already past. */
export function nextStart(previous: number, step: number, now: number): number {
  let next = previous + step;
  if (next <= now) next += Math.ceil((now - next + 1) / step) * step;
  return next;
}
