/**
 * New proxied connections per second: every wrk request carries
 * `Connection: close`, so nginx closes after each response and wrk opens a
 * new TCP connection (through the proxy, a new connection to nginx too) for
 * the next request. Requests/s is then connections/s.
 */
import type { Workload } from '../lib/workload.ts';
import { runWrk } from './wrk.ts';

const CONNECTIONS = 50;

export const churn: Workload = {
  id: 'churn',
  title: () => `new connections, wrk -c${CONNECTIONS} Connection: close`,
  listen: 'churn',
  backend: 'http',
  metrics: [{ key: 'connPerS', label: 'connections/s', better: 'higher', digits: 0 }],
  estimateSeconds: (options) => options.warmupS + options.durationS + 0.7,
  run: async ({ options, port }) => {
    const wrk = { port, connections: CONNECTIONS, cpus: options.loadCpus, headers: ['Connection: close'] };
    // Unmeasured first pass: lbd's JIT and both proxies' allocators warm up.
    if (options.warmupS > 0) await runWrk({ ...wrk, durationS: options.warmupS });
    const stats = await runWrk({ ...wrk, durationS: options.durationS });
    return {
      values: { connPerS: stats.requestsPerSecond },
      details: { requests: stats.requests, errors: stats.errors },
    };
  },
};
