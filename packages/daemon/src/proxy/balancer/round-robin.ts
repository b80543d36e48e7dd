import type { ServerRuntime } from '../server-runtime.js';
import type { Balancer, PickContext } from './balancer.js';

/**
 * Smooth weighted round robin: each pick adds every server's weight to its
 * accumulator, takes the highest and subtracts the total from it. Weights 3:1
 * give a a b a a a b a..., spread out rather than in bursts, and a weight
 * change takes effect on the next pick. `static-rr` uses the configured
 * weights, so runtime weight changes (other than to 0) do not apply, as in HAProxy.
 */
export class RoundRobinBalancer implements Balancer {
  readonly sticky = false;

  constructor(private readonly useInitialWeights: boolean) {}

  pick(candidates: readonly ServerRuntime[], context: PickContext): ServerRuntime | undefined {
    let total = 0;
    let best: ServerRuntime | undefined;
    for (const server of candidates) {
      if (server === context.exclude || server.full) continue;
      const weight = this.useInitialWeights ? server.model.initialWeight : server.model.weight;
      server.rrCurrent += weight;
      total += weight;
      if (best === undefined || server.rrCurrent > best.rrCurrent) best = server;
    }
    if (best !== undefined) best.rrCurrent -= total;
    return best;
  }
}
