/**
 * Keep-alive requests per second and latency: 50 persistent connections
 * (nginx keeps them for the whole run, see backends.ts), so the proxy only
 * forwards small requests and responses on established connections.
 * Percentiles come from wrk's own HdrHistogram via wrk-report.lua, the same
 * data `wrk --latency` prints.
 */
import type { Workload } from '../lib/workload.ts';
import { runWrk } from './wrk.ts';

const CONNECTIONS = 50;

export const keepalive: Workload = {
  id: 'keepalive',
  title: () => `keep-alive requests, wrk -c${CONNECTIONS}`,
  listen: 'keepalive',
  backend: 'http',
  metrics: [
    { key: 'reqPerS', label: 'requests/s', better: 'higher', digits: 0 },
    { key: 'p50Ms', label: 'latency p50 (ms)', better: 'lower', digits: 3 },
    { key: 'p99Ms', label: 'latency p99 (ms)', better: 'lower', digits: 3 },
  ],
  estimateSeconds: (options) => options.warmupS + options.durationS + 0.7,
  run: async ({ options, port }) => {
    const wrk = { port, connections: CONNECTIONS, cpus: options.loadCpus };
    if (options.warmupS > 0) await runWrk({ ...wrk, durationS: options.warmupS });
    const stats = await runWrk({ ...wrk, durationS: options.durationS });
    return {
      values: {
        reqPerS: stats.requestsPerSecond,
        p50Ms: stats.latencyUs.p50 / 1000,
        p99Ms: stats.latencyUs.p99 / 1000,
      },
      details: { requests: stats.requests, errors: stats.errors, latencyUs: stats.latencyUs },
    };
  },
};
