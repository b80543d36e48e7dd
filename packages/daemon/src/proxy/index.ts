export { BackendPool } from './backend-pool.js';
export { FrontendCounters, RateCounter, SlidingAverage, TargetCounters } from './counters.js';
export { DataPlane, type DataPlaneRole } from './data-plane.js';
export { FrontendListener } from './frontend-listener.js';
export {
  type KillableSession,
  ServerRuntime,
  type SessionDescription,
  type TrafficOutcome,
} from './server-runtime.js';
export type { WorkerShare } from './worker-share.js';
