export { DataPlane } from './data-plane.js';
export { BackendPool } from './backend-pool.js';
export { FrontendListener } from './frontend-listener.js';
export { ServerRuntime } from './server-runtime.js';
export { FrontendCounters, TargetCounters, RateCounter, SlidingAverage } from './counters.js';
