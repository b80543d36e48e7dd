import type { ServerRuntime } from '../server-runtime.js';
import type { Balancer, PickContext } from './balancer.js';

/**
 * The first server (by id) with a free slot: fills servers one after the
 * other so idle ones can be powered down, as HAProxy's `balance first`.
 */
export class FirstAvailableBalancer implements Balancer {
  readonly sticky = false;

  pick(candidates: readonly ServerRuntime[], context: PickContext): ServerRuntime | undefined {
    for (const server of candidates) {
      if (server !== context.exclude && !server.full) return server;
    }
    return undefined;
  }
}
