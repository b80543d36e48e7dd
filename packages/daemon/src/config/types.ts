/**
 * The parsed configuration: what `haproxy.cfg` (TCP subset) means to lbd,
 * after `defaults` inheritance and validation. Durations are milliseconds.
 * The parser produces it; the control-plane model is built from it; nothing
 * in the data plane reads the text.
 */

/** Where a directive came from, for `FILE:LINE` messages. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** A notice for a directive that is accepted but has no effect in lbd. */
export interface ConfigNotice {
  where: SourceLocation;
  message: string;
}

export type AccessLevel = 'user' | 'operator' | 'admin';

export interface StatsSocketConfig {
  path: string;
  /** File mode, e.g. 0o600; undefined leaves the process umask in charge. */
  mode?: number;
  uid?: number;
  gid?: number;
  user?: string;
  group?: string;
  /** @default 'admin' (HAProxy 2.6's default for a stats socket) */
  level: AccessLevel;
  where: SourceLocation;
}

/** A `log` target as written; lbd writes its records to stdout (the journal) whatever the target. */
export interface LogTarget {
  target: string;
  facility?: string;
  where: SourceLocation;
}

export interface GlobalConfig {
  /** Process-wide connection limit. @default 4096 when unset (matches the demo config; HAProxy derives it from ulimit-n) */
  maxconn?: number;
  statsSockets: StatsSocketConfig[];
  /** Idle timeout of runtime-API sessions. @default 10000 (ms) */
  statsTimeoutMs: number;
  pidfile?: string;
  /** Data-plane worker processes. @default 1 */
  nbthread: number;
  user?: string;
  group?: string;
  uid?: number;
  gid?: number;
  ulimitN?: number;
  /** Random spread added to check intervals, in percent (0..50). @default 0 */
  spreadChecks: number;
  chroot?: string;
  logTargets: LogTarget[];
}

export interface BindConfig {
  /** Literal address; '' or '*' means all IPv4 addresses, '::' all IPv6. */
  host: string;
  port: number;
  /** Expect a PROXY protocol v1/v2 header from the client before any data. */
  acceptProxy: boolean;
  where: SourceLocation;
}

/** Timeouts in milliseconds; undefined means "not set" (HAProxy then waits forever and warns). */
export interface Timeouts {
  connect?: number;
  client?: number;
  server?: number;
  queue?: number;
  check?: number;
  clientFin?: number;
  serverFin?: number;
  tunnel?: number;
}

export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'source';

export interface PortRange {
  low: number;
  high: number;
}

/** `source ADDR[:PORT[-PORT]]`: the local address (and ports) connections to servers leave from. */
export interface SourceConfig {
  /** One address today; the port-exhaustion work extends this to several. */
  addresses: string[];
  portRange?: PortRange;
}

export interface ProxyOptions {
  redispatch: boolean;
  tcplog: boolean;
  dontlognull: boolean;
  /** `option tcpka`: keepalive on both sides. */
  tcpka: boolean;
  clitcpka: boolean;
  srvtcpka: boolean;
  nolinger: boolean;
}

export type SendProxyVersion = 0 | 1 | 2;

export interface ServerConfig {
  name: string;
  host: string;
  port: number;
  /** Server `id` (HAProxy's `sid`), assigned in order when not given. */
  id: number;
  check: boolean;
  /** @default 2000 (ms) */
  inter: number;
  /** @default inter */
  fastinter: number;
  /** @default inter */
  downinter: number;
  /** @default 2 */
  rise: number;
  /** @default 3 */
  fall: number;
  /** 0..256. @default 1 */
  weight: number;
  /** 0 means unlimited. @default 0 */
  maxconn: number;
  /** 0 means unlimited. @default 0 */
  maxqueue: number;
  backup: boolean;
  /** Starts in maintenance (admin state MAINT). */
  disabled: boolean;
  source?: SourceConfig;
  sendProxy: SendProxyVersion;
  /** Health-check port and address overrides. */
  checkPort?: number;
  checkAddr?: string;
  /** Ramp-up time after the server comes UP, in ms. @default 0 */
  slowstart: number;
  onMarkedDown?: 'shutdown-sessions';
  onMarkedUp?: 'shutdown-backup-sessions';
  where: SourceLocation;
}

export type ProxyMode = 'tcp' | 'http';

/** `stats ...` directives of an HTTP `listen` section, kept for the stats page. */
export interface StatsPageConfig {
  enabled: boolean;
  uri?: string;
  auth: { user: string; password: string }[];
  refreshMs?: number;
  adminIf?: string;
  realm?: string;
}

/**
 * A proxy as HAProxy counts them: a `frontend` (frontend capability), a
 * `backend` (backend capability) or a `listen` (both). `show stat` prints one
 * FRONTEND row, the server rows and one BACKEND row per proxy by capability.
 */
export interface ProxyConfig {
  name: string;
  kind: 'frontend' | 'backend' | 'listen';
  /** Proxy id (HAProxy's `iid`): assigned in order of appearance from 2, as HAProxy 2.6 does (`show stat 2 -1 -1`). */
  id: number;
  mode: ProxyMode;
  /** Frontend capability. */
  binds: BindConfig[];
  /** Name of the backend that gets the connections; a listen section uses itself. */
  defaultBackend?: string;
  /** Frontend session limit. @default global maxconn */
  maxconn?: number;
  /** Backend capability. */
  balance: BalanceAlgorithm;
  servers: ServerConfig[];
  fullconn?: number;
  /** @default 3 */
  retries: number;
  source?: SourceConfig;
  options: ProxyOptions;
  timeouts: Timeouts;
  /** True when the section logs connections (`log global` or its own `log` line). */
  log: boolean;
  stats?: StatsPageConfig;
  /** Disabled sections (`disabled` keyword) are parsed but not started. */
  disabled: boolean;
  where: SourceLocation;
}

export interface Config {
  files: string[];
  global: GlobalConfig;
  /** Frontends, backends and listens in order of appearance. */
  proxies: ProxyConfig[];
  notices: ConfigNotice[];
}
