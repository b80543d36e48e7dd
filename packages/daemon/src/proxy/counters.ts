/**
 * Per-object traffic counters with HAProxy's `show stat` meanings. The data
 * plane increments them; the control plane reads them for the runtime API.
 * Plain number fields: this is the hot path, one add per event.
 */

/**
 * Events per second over the last second, as HAProxy's freq_ctr: the current
 * second's count plus the previous second's, weighted by how much of it is
 * still inside the one-second window.
 */
export class RateCounter {
  private second = 0;
  private current = 0;
  private previous = 0;
  /** Highest rate seen (HAProxy's `rate_max`). */
  max = 0;
  /** Set on the master's mirror counters: the workers' summed rate, read as is. */
  private reported: number | undefined;

  /** Makes this counter show an aggregate computed elsewhere (the workers' sum). */
  report(rate: number, max: number): void {
    this.reported = rate;
    this.max = Math.max(this.max, max, rate);
  }

  hit(now = Date.now()): void {
    this.rotate(now);
    this.current++;
    const rate = this.read(now);
    if (rate > this.max) this.max = rate;
  }

  read(now = Date.now()): number {
    if (this.reported !== undefined) return this.reported;
    this.rotate(now);
    const elapsedInSecond = (now % 1000) / 1000;
    return Math.round(this.current + this.previous * (1 - elapsedInSecond));
  }

  private rotate(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    this.previous = second === this.second + 1 ? this.current : 0;
    this.current = 0;
    this.second = second;
  }
}

/**
 * Sliding average over about the last 1,024 samples, as HAProxy's swrate: it
 * needs no sample history and weighs recent sessions the same way `show stat`'s
 * qtime/ctime/ttime do.
 */
export class SlidingAverage {
  private sum = 0;
  private samples = 0;
  /** Highest sample seen (HAProxy's `*_max` columns). */
  max = 0;

  add(value: number): void {
    const window = 1024;
    if (this.samples < window) this.samples++;
    this.sum = this.sum - this.sum / window + value;
    if (value > this.max) this.max = value;
  }

  /** Makes this average show one computed elsewhere (the workers' weighted mean). */
  report(value: number, max: number): void {
    this.sum = value;
    this.samples = 1;
    this.max = Math.max(this.max, max);
  }

  get value(): number {
    if (this.samples === 0) return 0;
    return Math.round(this.sum / Math.min(this.samples, 1024));
  }
}

/** Counters shared by frontends, backends and servers. */
export class SessionCounters {
  /** Current sessions (`scur`). */
  current = 0;
  /** Highest `scur` seen (`smax`). */
  max = 0;
  /** Total sessions (`stot`). */
  total = 0;
  /** Bytes from clients (`bin`). */
  bytesIn = 0;
  /** Bytes to clients (`bout`). */
  bytesOut = 0;
  /** Epoch ms of the last session (`lastsess`); 0 when none yet. */
  lastSession = 0;
  readonly sessionRate = new RateCounter();

  open(now: number): void {
    this.current++;
    this.total++;
    if (this.current > this.max) this.max = this.current;
    this.lastSession = now;
    this.sessionRate.hit(now);
  }

  close(): void {
    this.current--;
  }
}

/** Backend and server counters: connection outcomes, queue and timings. */
export class TargetCounters extends SessionCounters {
  /** Failed connection attempts (`econ`). */
  connectErrors = 0;
  /** Sessions that ended on a server-side error (`eresp`). */
  responseErrors = 0;
  /** Retried connection attempts (`wretr`). */
  retries = 0;
  /** Sessions moved to another server (`wredis`). */
  redispatches = 0;
  /** Sessions aborted by the client (`cli_abrt`) or server (`srv_abrt`). */
  clientAborts = 0;
  serverAborts = 0;
  /** Times picked by the balancer (`lbtot`). */
  loadBalanced = 0;
  /** Successful connections (`connect`). */
  connects = 0;
  /**
   * Connection attempts that found no source port on any source address
   * (EADDRINUSE/EADDRNOTAVAIL, or lbd's own ranges exhausted). lbd's own
   * counter: HAProxy folds these into `econ`, where a refusing server hides them.
   */
  sourcePortFailures = 0;
  /** Connections now waiting in a queue (`qcur`) and the highest (`qmax`). */
  queued = 0;
  queueMax = 0;
  readonly queueTime = new SlidingAverage();
  readonly connectTime = new SlidingAverage();
  readonly totalTime = new SlidingAverage();

  enqueue(): void {
    this.queued++;
    if (this.queued > this.queueMax) this.queueMax = this.queued;
  }

  dequeue(): void {
    this.queued--;
  }
}

/** Frontend counters. */
export class FrontendCounters extends SessionCounters {
  /** Accepted connections (`conn_tot`) and their rate. */
  connections = 0;
  readonly connectionRate = new RateCounter();
  /** Requests denied or in error (`dreq`, `ereq`): bad PROXY headers land here. */
  deniedRequests = 0;
  requestErrors = 0;
}
