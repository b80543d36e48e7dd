import type { BalanceAlgorithm } from '../../config/types.js';
import type { Balancer } from './balancer.js';
import { FirstAvailableBalancer } from './first-available.js';
import { LeastConnectionsBalancer } from './least-connections.js';
import { RoundRobinBalancer } from './round-robin.js';
import { SourceHashBalancer } from './source-hash.js';

export type { Balancer, PickContext } from './balancer.js';

/** The balancer for a backend's `balance` algorithm. */
export function createBalancer(algorithm: BalanceAlgorithm): Balancer {
  switch (algorithm) {
    case 'roundrobin':
      return new RoundRobinBalancer(false);
    case 'static-rr':
      return new RoundRobinBalancer(true);
    case 'leastconn':
      return new LeastConnectionsBalancer();
    case 'first':
      return new FirstAvailableBalancer();
    case 'source':
      return new SourceHashBalancer();
  }
}
