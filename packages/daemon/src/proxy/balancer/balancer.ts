import type { ServerRuntime } from '../server-runtime.js';

/** What a balancer knows about the connection it places. */
export interface PickContext {
  /** Client IP address, for `balance source`. */
  clientAddress: string;
  /** A server the connection must avoid (the one a redispatch leaves). */
  exclude?: ServerRuntime | undefined;
}

/**
 * A load-balancing algorithm. `candidates` are the servers allowed to take
 * new connections right now, in id order. Returns undefined when every
 * candidate is full (the caller queues), except a hashing algorithm, which
 * returns its server even when full so that the caller queues on it and the
 * client keeps its server.
 */
export interface Balancer {
  pick(candidates: readonly ServerRuntime[], context: PickContext): ServerRuntime | undefined;
  /** True when a full pick means "queue on that server" rather than "try another". */
  readonly sticky: boolean;
}
