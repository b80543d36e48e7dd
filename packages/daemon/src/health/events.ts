import type { CheckStatus } from '../model/index.js';

/** What caused a health transition. */
export type HealthEventSource = 'check' | 'agent' | 'observe' | 'admin';

/**
 * One change of a server's displayed status caused by health: `UP` ->
 * `UP 2/3` -> `DOWN`, `UP` -> `NOLB`, an agent's `DRAIN`... The runtime API
 * publishes these on its event stream.
 */
export interface HealthEvent {
  /** Increasing number, for a subscriber to resume without gaps or repeats. */
  readonly seq: number;
  /** Epoch ms. */
  readonly time: number;
  readonly backend: string;
  readonly server: string;
  /** Status strings as `show stat` prints them. */
  readonly from: string;
  readonly to: string;
  /** Why, in words: the check's text, the agent's reply, the passive-health summary. */
  readonly reason: string;
  readonly source: HealthEventSource;
  /** The check (or agent) result behind the change, when there was one. */
  readonly checkStatus?: CheckStatus | undefined;
  readonly checkCode?: number | undefined;
  readonly checkDurationMs?: number | undefined;
}

/** How many recent events are kept. @default 1000 */
export const DEFAULT_EVENT_CAPACITY = 1000;

type Listener = (event: HealthEvent) => void;

/**
 * The health event stream: listeners get each event as it happens, and a
 * bounded ring keeps the most recent ones for a subscriber that arrives
 * later (or reconnects and asks for what it missed since a `seq`).
 */
export class HealthEvents {
  private readonly ring: (HealthEvent | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  /** @param capacity events kept; older ones are dropped. @default 1000 */
  constructor(readonly capacity = DEFAULT_EVENT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.ring = new Array(capacity);
  }

  /** Records an event (numbering and timestamping it) and tells every listener. */
  publish(event: Omit<HealthEvent, 'seq' | 'time'> & { time?: number }): HealthEvent {
    const full: HealthEvent = { ...event, seq: ++this.seq, time: event.time ?? Date.now() };
    this.ring[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A failing subscriber must not stop health checking or the other subscribers.
      }
    }
    return full;
  }

  /** Calls `listener` for every new event; returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Kept events, oldest first: all of them, or those after `afterSeq`.
   * @param limit at most this many of the newest. @default capacity
   */
  recent(afterSeq = 0, limit = this.capacity): HealthEvent[] {
    const out: HealthEvent[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const event = this.ring[(this.next + i) % this.capacity];
      if (event !== undefined && event.seq > afterSeq) out.push(event);
    }
    return out.slice(Math.max(0, out.length - limit));
  }

  /** The number of the latest event (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }
}
