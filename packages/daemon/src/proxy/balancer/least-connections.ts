import type { ServerRuntime } from '../server-runtime.js';
import type { Balancer, PickContext } from './balancer.js';

/**
 * Fewest sessions (active plus queued, plus those other workers hold) relative to weight; ties go round
 * robin, so equal servers share new connections instead of the first taking all.
 */
export class LeastConnectionsBalancer implements Balancer {
  readonly sticky = false;
  private offset = 0;

  pick(candidates: readonly ServerRuntime[], context: PickContext): ServerRuntime | undefined {
    const count = candidates.length;
    let best: ServerRuntime | undefined;
    let bestIndex = 0;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const index = (this.offset + i) % count;
      const server = candidates[index]!;
      if (server === context.exclude || server.full) continue;
      const load =
        (server.counters.current + server.counters.queued + server.remoteLoad) / server.model.weight;
      if (load < bestLoad) {
        best = server;
        bestLoad = load;
        bestIndex = index;
      }
    }
    if (best !== undefined) this.offset = (bestIndex + 1) % count;
    return best;
  }
}
