/**
 * The contract between the load children (`load-child.ts`) and the test
 * process (`load.ts`): options, reports and IPC messages. Types only, so
 * the child, which Node runs by stripping types, can import it (type-only
 * imports are erased).
 */

/** Options of the `short` role. */
export interface ShortLoadOptions {
  readonly role: 'short';
  readonly host: string;
  readonly port: number;
  /** New connections per second. */
  readonly ratePerSec: number;
  /** Connections open at once; a start that would exceed it is skipped and counted as `throttled`. */
  readonly maxInFlight: number;
  /** Payload size is random in 1..maxPayloadBytes. */
  readonly maxPayloadBytes: number;
  /** Deadline of one connection (connect to close), ms; past it the connection fails with `TIMEOUT`. */
  readonly timeoutMs: number;
  /** The child stops starting connections by itself after this long, ms. */
  readonly maxDurationMs: number;
}

/** Options of the `streams` role. */
export interface StreamLoadOptions {
  readonly role: 'streams';
  readonly host: string;
  readonly port: number;
  readonly count: number;
  /** Bytes sent per second on each stream (the echo is read as fast as it comes). */
  readonly bytesPerSec: number;
  readonly chunkBytes: number;
  /** Sent but not yet echoed bytes at which a stream stops writing until the echo catches up. */
  readonly maxUnackedBytes: number;
  /** Deadline for each connect, ms. */
  readonly connectTimeoutMs: number;
  /** Deadline for the final echo, FIN and close after `finish`, ms. */
  readonly finishTimeoutMs: number;
  /** The child finishes the streams by itself after this long, ms. */
  readonly maxDurationMs: number;
}

export type LoadOptions = ShortLoadOptions | StreamLoadOptions;

/** Counts of the `short` role. */
export interface ShortReport {
  readonly attempts: number;
  readonly ok: number;
  readonly failed: number;
  /** Failures by code: a socket error code, `TIMEOUT`, `MISMATCH` (echo differs) or `NO_FIN` (closed without the peer's FIN). */
  readonly errors: Readonly<Record<string, number>>;
  readonly inFlight: number;
  /** Starts skipped because `maxInFlight` connections were open. */
  readonly throttled: number;
  /** From the first start to the last one (or now), ms: the time the rate is measured over. */
  readonly startingMs: number;
  /** From the first start to the last close (or now), ms. */
  readonly elapsedMs: number;
  /** Slowest successful connection, ms. */
  readonly maxMs: number;
  /** Successful connections that took over 1 s. */
  readonly overOneSecond: number;
  /** The child stopped at `maxDurationMs`, before the test asked. */
  readonly stoppedByDeadline: boolean;
}

/** The outcome of one stream. */
export interface StreamResult {
  /** The client's port (0 if it never connected): the test can find which process holds the connection. */
  readonly localPort: number;
  readonly sent: number;
  readonly echoed: number;
  /** Echoed bytes since the `mark` message (all of them without a mark). */
  readonly echoedSinceMark: number;
  /** Longest time with bytes outstanding and none echoed, ms. */
  readonly maxStallMs: number;
  /** Whether every byte came back in order and the connection ended cleanly after `finish`. */
  readonly intact: boolean;
  readonly error?: string;
}

/** Counts of the `streams` role. */
export interface StreamsReport {
  readonly streams: readonly StreamResult[];
  /** The child finished the streams at `maxDurationMs`, before the test asked. */
  readonly stoppedByDeadline: boolean;
}

/** Messages from the test process. */
export type ToLoadChild = { type: 'start'; options: LoadOptions } | { type: 'mark' } | { type: 'stop' };

/** Messages to the test process. */
export type FromLoadChild =
  | { type: 'started' }
  | { type: 'progress'; short?: ShortReport; streams?: StreamsReport }
  | { type: 'done'; short?: ShortReport; streams?: StreamsReport }
  | { type: 'fatal'; message: string };
