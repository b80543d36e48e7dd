/**
 * The dashboard's view model: what the screen shows, derived from the
 * protocol's messages by pure functions (`server-rows.ts`, `ports-model.ts`,
 * `events-log.ts`) and held by the reducer. Components read only these types.
 */

/** How a server's state is drawn (its colour and word). */
export type StateKind = 'up' | 'down' | 'drain' | 'maint' | 'going-down' | 'going-up' | 'nolb' | 'nocheck';

/** One server as the servers view shows it, on one daemon. */
export interface ServerRow {
  /** Identity across snapshots and sorts: node index, backend, server. */
  readonly key: string;
  /** Index of the daemon in the target list. */
  readonly node: number;
  readonly backend: string;
  /** The backend's proxy id (`iid`): the config order of backends. */
  readonly backendId: number;
  readonly server: string;
  /** The server id (`sid`): the config order inside the backend. */
  readonly serverId: number;
  /** HAProxy's status word as the daemon sends it (`UP`, `DOWN 1/2`, `DRAIN`, `MAINT`...). */
  readonly status: string;
  readonly kind: StateKind;
  /** `L4OK`, `L4CON`, `L7STS`... or '' when the server has no check. */
  readonly checkStatus: string;
  /** Duration of the last check, ms. */
  readonly checkMs: number | undefined;
  /** The last check's text (`Connection refused`), for the events and the detail. */
  readonly checkText: string;
  /** Seconds since the last status change. */
  readonly lastChangeSec: number;
  readonly weight: number;
  /** The configured weight, from `show-servers-state` (unknown until it answers). */
  readonly initialWeight: number | undefined;
  readonly backup: boolean;
  readonly sessions: number;
  readonly maxSessions: number;
  /** `maxconn` of the server, undefined when unlimited. */
  readonly limit: number | undefined;
  readonly queue: number;
  /** New sessions per second (the daemon's own rate counter). */
  readonly rate: number;
  /** Session rate samples over the last minute, oldest first. */
  readonly rateHistory: readonly number[];
  /** Bytes per second from the client side (`bin`) and to it (`bout`), between the last two snapshots. */
  readonly bytesInPerSec: number | undefined;
  readonly bytesOutPerSec: number | undefined;
  readonly connectErrors: number;
  readonly retries: number;
  readonly redispatches: number;
  /** `bin`/`bout` totals, kept to compute the next per-second figures. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** `ip:port`, empty at level user. */
  readonly address: string;
}

/** Connection state of one daemon. */
export type LinkState = 'connecting' | 'connected' | 'disconnected';

/** One daemon the dashboard watches. */
export interface NodeModel {
  /** The target as given (socket path or URL), the node's name until the daemon says its own. */
  readonly target: string;
  /** The daemon's `node` (from `show info`), else {@link target}. */
  readonly name: string;
  readonly link: LinkState;
  /** Epoch ms of the last link change. */
  readonly linkSince: number;
  /** Why the link is down (the error's message). */
  readonly linkError: string | undefined;
  /** Epoch ms of the next reconnection attempt. */
  readonly retryAt: number | undefined;
  readonly version: string | undefined;
  readonly pid: number | undefined;
  /** The connection's access level: below admin, actions are refused by the daemon. */
  readonly level: string | undefined;
  readonly uptimeSec: number | undefined;
  readonly currentConns: number | undefined;
  readonly maxConns: number | undefined;
  /** New connections per second, all frontends. */
  readonly connRate: number | undefined;
  /** Epoch ms of the last stats snapshot. */
  readonly snapshotTime: number | undefined;
  /** Servers in the daemon's order (backends by id, servers by id). */
  readonly servers: readonly ServerRow[];
  /** Configured weights by `backend/server`, from `show-servers-state`. */
  readonly initialWeights: ReadonlyMap<string, number>;
  /** Source-port data, undefined until the daemon reports ports. */
  readonly ports: PortsModel | undefined;
}

/** Kernel settings that bound source ports toward a server. */
export interface KernelPortView {
  /** `net.ipv4.ip_local_port_range`. */
  readonly portRange: { readonly low: number; readonly high: number };
  /** `net.ipv4.tcp_tw_reuse`: 0 off, 1 on, 2 loopback only. */
  readonly tcpTwReuse: number;
  /** `net.ipv4.tcp_fin_timeout`, seconds. */
  readonly tcpFinTimeoutS: number;
  /** `net.ipv4.tcp_max_tw_buckets`. */
  readonly tcpMaxTwBuckets: number;
}

/** Sockets from one source address to one server, with what is left of the port range. */
export interface PortPair {
  /** Identity: node, source, destination. */
  readonly key: string;
  readonly node: number;
  /** Local (source) address. */
  readonly source: string;
  /** `ip:port` of the server. */
  readonly destination: string;
  /** `backend/server` when the destination maps to a server (several, comma-separated, when they share it). */
  readonly server: string | undefined;
  /** The `backend/server` names toward the destination (for the servers view's port columns). */
  readonly servers: readonly string[];
  readonly established: number | undefined;
  readonly timeWait: number | undefined;
  /** Other states (SYN_SENT, FIN_WAIT*, CLOSE_WAIT...). */
  readonly other: number | undefined;
  /** Ports of the range in use toward this destination. */
  readonly used: number;
  /** Ports the pair may use at all (the range less reserved ports). */
  readonly range: number;
  /** New connections per second toward the destination from this source. */
  readonly newPerSec: number | undefined;
  /** Seconds until no port is left at the current trend; undefined when not shrinking. */
  readonly exhaustionSec: number | undefined;
  readonly level: 'ok' | 'warning' | 'critical';
  /** Epoch ms of the last update. */
  readonly time: number;
  /** Recent `used` samples `[time, used]`, for the trend. */
  readonly trend: ReadonlyArray<readonly [number, number]>;
}

/**
 * Port data of one daemon: each `ports-report` push (the monitor's whole
 * report: kernel settings, every pair) replaces it; before the first one,
 * `ports` pressure alerts fill the pairs they name.
 */
export interface PortsModel {
  readonly time: number;
  readonly kernel: KernelPortView | undefined;
  /** TIME_WAIT sockets of the whole host, when reported. */
  readonly timeWaitTotal: number | undefined;
  readonly pairs: readonly PortPair[];
}

/** What kind of event a line of the events view is. */
export type EventKind = 'state' | 'admin' | 'check' | 'reload' | 'ports' | 'worker' | 'link';

/** One line of the events view. */
export interface EventEntry {
  /** Increasing, for React keys and stable order. */
  readonly seq: number;
  readonly time: number;
  readonly node: number;
  readonly kind: EventKind;
  /** `backend/server`, or '' for daemon-wide events. */
  readonly subject: string;
  /** The change in words, with its reason or origin. */
  readonly text: string;
  /** Draw it as a problem (DOWN, failed action, critical ports). */
  readonly severity: 'info' | 'warning' | 'error';
}
