/** A scheduled run; {@link CheckScheduler.cancel} drops it. */
export interface ScheduledRun {
  readonly at: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** How close together runs are batched into one wake-up, in ms. @default 5 */
export const DEFAULT_TICK_MS = 5;

/** The longest batching tick: checks start at most this early. */
export const MAX_TICK_MS = 20;

/**
 * The tick for a set of checks: 1/50 of their shortest interval, between
 * 1 ms and {@link MAX_TICK_MS} (20 ms for checks every second).
 */
export function tickFor(shortestIntervalMs: number): number {
  return Math.max(1, Math.min(MAX_TICK_MS, Math.floor(shortestIntervalMs / 50)));
}

/**
 * One timer for all checks. A thousand servers checked every second would
 * otherwise mean a thousand timers armed and fired a second, each waking
 * the event loop on its own (and each check's connect completing on its
 * own wake-up). Here runs due within the same tick start together, up to a
 * tick early: the spread over the interval stays (the tick is 1/50 of it),
 * and the cost of checking drops by about a third (see
 * scripts/bench/health-cost.ts). A binary heap orders the runs; cancelled
 * ones are dropped when they come up.
 */
export class CheckScheduler {
  private readonly heap: ScheduledRun[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  /** @param tickMs runs due within this many ms of each other start together. @default 5 */
  constructor(public tickMs = DEFAULT_TICK_MS) {}

  /** Runs `run` at `at` (performance.now() time), or within a tick after it. */
  at(at: number, run: () => void): ScheduledRun {
    const entry: ScheduledRun = { at, run, cancelled: false };
    this.push(entry);
    if (at < this.timerAt - this.tickMs) this.arm();
    return entry;
  }

  cancel(entry: ScheduledRun | undefined): void {
    if (entry !== undefined) entry.cancelled = true;
  }

  /** Drops every run and the timer. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.heap.length = 0;
  }

  /** Runs pending now (cancelled ones included until they come up). */
  get size(): number {
    return this.heap.length;
  }

  private arm(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    clearTimeout(this.timer);
    const next = this.heap[0];
    if (next === undefined) {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.timerAt = next.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.at - performance.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const horizon = performance.now() + this.tickMs;
    while (this.heap.length > 0 && this.heap[0]!.at <= horizon) {
      const entry = this.pop()!;
      if (!entry.cancelled) entry.run();
    }
    if (this.timer === undefined) this.arm();
  }

  private push(entry: ScheduledRun): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): ScheduledRun | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
