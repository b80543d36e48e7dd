import type { ServerRuntime } from '../server-runtime.js';
import type { Balancer, PickContext } from './balancer.js';

/**
 * `balance source` by weighted rendezvous hashing: every (client, server)
 * pair gets a score and the highest wins. When a server leaves, only its own
 * clients move; everyone else keeps their server, which a modulo map cannot promise.
 */
export class SourceHashBalancer implements Balancer {
  readonly sticky = true;

  pick(candidates: readonly ServerRuntime[], context: PickContext): ServerRuntime | undefined {
    const clientHash = fnv1a(context.clientAddress);
    let best: ServerRuntime | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const server of candidates) {
      if (server === context.exclude) continue;
      const unit = (mix32(clientHash ^ Math.imul(server.model.id, 0x9e3779b1)) + 1) / 4294967297;
      const score = server.model.weight / -Math.log(unit);
      if (score > bestScore) {
        best = server;
        bestScore = score;
      }
    }
    return best;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Murmur3's finaliser: spreads close inputs (ids 1, 2, 3) over the whole range. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
