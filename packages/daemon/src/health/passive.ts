import type { OnErrorAction } from '../config/types.js';
import type { TrafficOutcome } from '../proxy/index.js';

/** HAProxy's default `error-limit`. */
export const DEFAULT_ERROR_LIMIT = 10;

const OUTCOME_TEXT: Readonly<Record<Exclude<TrafficOutcome, 'connected'>, string>> = {
  'connect-refused': 'connection refused',
  'connect-timeout': 'connection timeout',
  'server-reset': 'connection reset by the server',
};

/** What passive health decided after `error-limit` errors in a row. */
export interface PassiveVerdict {
  action: OnErrorAction;
  count: number;
  /** For `last_chk` and the event: how many errors and what the last one was. */
  text: string;
}

/**
 * `observe layer4`: counts consecutive connection errors seen on live
 * traffic; a good connection (or a passed check, see {@link reset}) clears
 * the count. At `error-limit` it reports the `on-error` action and starts
 * counting again.
 *
 * A connection the server accepts and then resets counts as an error, not
 * as the success its connect looked like: the count a connect cleared comes
 * back when a reset follows, so a server that resets every connection
 * reaches the limit as surely as one that refuses them.
 */
export class PassiveHealth {
  private consecutive = 0;
  /** The count the last successful connect cleared. */
  private clearedByConnect = 0;

  constructor(
    private readonly limit: number,
    private readonly action: OnErrorAction,
  ) {}

  /** Counts one traffic outcome; returns a verdict when the limit is reached. */
  observe(outcome: TrafficOutcome): PassiveVerdict | undefined {
    if (outcome === 'connected') {
      this.clearedByConnect = this.consecutive;
      this.consecutive = 0;
      return undefined;
    }
    const base =
      outcome === 'server-reset' ? Math.max(this.consecutive, this.clearedByConnect) : this.consecutive;
    this.clearedByConnect = 0;
    this.consecutive = base + 1;
    if (this.consecutive < this.limit) return undefined;
    const count = this.consecutive;
    this.consecutive = 0;
    return {
      action: this.action,
      count,
      text: `${count} consecutive errors on live traffic, last: ${OUTCOME_TEXT[outcome]}`,
    };
  }

  /** A passed health check clears the count, as in HAProxy. */
  reset(): void {
    this.consecutive = 0;
    this.clearedByConnect = 0;
  }
}
