import type { BackendPool } from './backend-pool.js';
import type { FrontendCounters } from './counters.js';
import type { ServerRuntime } from './server-runtime.js';
import type { SourcePicker } from './source-address.js';

/** Where a session's client came from and which address it reached (after `accept-proxy`). */
export interface ClientEndpoints {
  address: string;
  port: number;
  localAddress: string;
  localPort: number;
}

/** Settings of the frontend and backend a session runs under (shared, read-only). */
export interface SessionSettings {
  frontendName: string;
  frontendCounters: FrontendCounters;
  pool: BackendPool;
  retries: number;
  redispatch: boolean;
  connectTimeoutMs: number | undefined;
  clientTimeoutMs: number | undefined;
  serverTimeoutMs: number | undefined;
  clientFinTimeoutMs: number | undefined;
  serverFinTimeoutMs: number | undefined;
  /** `timeout tunnel`: replaces the client and server timeouts once connected. */
  tunnelTimeoutMs: number | undefined;
  clientNoLinger: boolean;
  serverNoLinger: boolean;
  serverKeepAlive: boolean;
  /**
   * Read the client's addresses at start: needed for logs, `balance source`
   * and `send-proxy`; otherwise skipped, which saves two syscalls per connection.
   */
  captureEndpoints: boolean;
  /** Source endpoints per server (server `source`, else backend `source`). */
  sourceFor(server: ServerRuntime): SourcePicker | undefined;
  /**
   * Called once when the session is over, with what the tcplog line needs;
   * the frontend's session count still includes it.
   */
  onEnd(summary: SessionSummary): void;
}

/** What a finished session reports: the fields of HAProxy's tcplog line. */
export interface SessionSummary {
  client: ClientEndpoints;
  acceptedAt: number;
  frontend: string;
  backend: string;
  server: string | undefined;
  /** Queue wait, connect time and total time in ms; -1 when never reached (HAProxy's Tw/Tc/Tt). */
  queueMs: number;
  connectMs: number;
  totalMs: number;
  bytesFromServer: number;
  bytesFromClient: number;
  termination: string;
  retries: number;
  redispatched: boolean;
  serverConnections: number;
  backendConnections: number;
}
