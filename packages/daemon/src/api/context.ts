import type { AccessLevel, ActionSource, PortsReport, ReloadResult, SessionInfo } from '@lbctl/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { AdminStateFile } from '../model/admin-state-file.js';
import type { RuntimeModel } from '../model/index.js';
import type { DataPlane } from '../proxy/index.js';
import type { EventBus } from './event-bus.js';
import type { BackendTracker } from './haproxy/backend-tracker.js';
import type { ApiLimits } from './limits.js';

/** A runtime-API connection as `show sess` lists it. */
export interface ApiConnectionInfo {
  readonly id: number;
  readonly source: ActionSource;
  readonly openedAt: number;
}

/** What every command handler may read and act on: the daemon's state, shared by both dialects. */
export interface ApiContext {
  readonly config: Config;
  readonly model: RuntimeModel;
  readonly dataPlane: DataPlane;
  readonly events: EventBus;
  /** Where admin changes are saved; undefined without `admin-state-file`. */
  readonly stateFile: AdminStateFile | undefined;
  readonly log: Logger;
  readonly limits: ApiLimits;
  /** Epoch ms when the daemon started (`show info` uptime). */
  readonly startedAt: number;
  /** True once the daemon is stopping (`show info` Stopping). */
  readonly stopping: boolean;
  /** The open runtime-API connections. */
  readonly connections: ReadonlySet<ApiConnectionInfo>;
  /** Runtime-API listening sockets, for `show info` Listeners. */
  readonly listenerCount: number;
  /** Backends' up/down history for the BACKEND rows. */
  readonly tracker: BackendTracker;
  /** Re-reads and applies the configuration (the daemon's reloader); undefined where lbd cannot reload. */
  readonly reload: ((trigger: string) => Promise<ReloadResult>) | undefined;
  /** The ports monitor's report, no older than its interval; undefined where no monitor runs. */
  readonly portsReport: (() => Promise<PortsReport>) | undefined;
  /** Brings the counters up to date before a command reads them (workers); undefined when they always are. */
  readonly refreshCounters: (() => Promise<void>) | undefined;
  /** The live sessions held by worker processes (`nbthread` > 1); undefined when this process holds them. */
  readonly workerSessions: (() => Promise<SessionInfo[]>) | undefined;
  /** The open-files limit and what the configuration may need of it (`show info` Ulimit-n, Maxsock). */
  readonly fdLimits: { ulimitN: number; maxsock: number };
}

/** The connection a command runs for: its level (which it may lower) and where it came from. */
export interface Caller {
  level: AccessLevel;
  readonly source: ActionSource;
}
