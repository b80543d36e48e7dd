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

/** Runtime-API command level of a stats socket, as in HAProxy. */
export type AccessLevel = 'user' | 'operator' | 'admin';

/** A `stats socket` line of `global`. */
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

/** A `stats websocket` line of `global` (lbd's extension): the JSON protocol over WebSocket. */
export interface StatsWebSocketConfig {
  /** Address to listen on. @default '127.0.0.1' (when the line gives only `:PORT`) */
  host: string;
  port: number;
  /** File holding the bearer token clients must send (surrounding whitespace is ignored). */
  tokenFile: string;
  /** @default 'user' */
  level: AccessLevel;
  /** Clients at once. @default 1024 */
  maxClients?: number;
  where: SourceLocation;
}

/** A `log` target as written; lbd writes its records to stdout (the journal) whatever the target. */
export interface LogTarget {
  target: string;
  facility?: string;
  /** Maximum record length (`len N`). */
  len?: number;
  /** Record format (`format rfc3164|rfc5424|short|raw|...`). */
  format?: string;
  /** Highest severity sent (`LEVEL`). */
  level?: string;
  /** Lowest severity a record is raised to (`MINLEVEL`). */
  minLevel?: string;
  where: SourceLocation;
}

/** The `global` section (several are merged, in order). */
export interface GlobalConfig {
  /** Process-wide connection limit. @default 4096 when unset (matches the demo config; HAProxy derives it from ulimit-n) */
  maxconn?: number;
  statsSockets: StatsSocketConfig[];
  /** Idle timeout of runtime-API sessions. @default 10000 (ms) */
  statsTimeoutMs: number;
  /** `stats websocket` lines (lbd's extension); none when absent. */
  statsWebSockets?: StatsWebSocketConfig[];
  /** `admin-state-file PATH` (lbd's extension): where operator changes are saved; none when absent. */
  adminStateFile?: string;
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
  /** `hard-stop-after`: how long old connections may keep a stopping lbd alive. Unset means forever. */
  hardStopAfterMs?: number;
  /** `node NAME`: shown by `show info` and the stats page. */
  node?: string;
  /** `description TEXT`: shown by `show info` and the stats page. */
  description?: string;
  /** `log-send-hostname [NAME]`: `true` means the system host name. */
  logSendHostname?: string | true;
}

/** One listener; a `bind` line with several addresses or a port range gives several. */
export interface BindConfig {
  /** Literal address; '' or '*' means all IPv4 addresses, '::' all IPv6. */
  host: string;
  port: number;
  /** Expect a PROXY protocol v1/v2 header from the client before any data. */
  acceptProxy: boolean;
  /** `ipv4@` / `ipv6@` (or `tcp4@` / `tcp6@`) prefix: the address family is forced. */
  family?: 'ipv4' | 'ipv6';
  /** `name N`: listener name in stats. */
  name?: string;
  /** `v4v6`: an IPv6 wildcard also accepts IPv4 connections. */
  v4v6?: boolean;
  /** `v6only`: an IPv6 wildcard accepts IPv6 connections only. */
  v6only?: boolean;
  /** `interface X`: bind to one network interface (SO_BINDTODEVICE). */
  interface?: string;
  /** `backlog N`: listen queue length. */
  backlog?: number;
  /** `maxconn N`: concurrent connections accepted on this listener. */
  maxconn?: number;
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

/** The `balance` algorithms lbd implements. */
export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'source';

/** Inclusive port range; a single port has `low === high`. */
export interface PortRange {
  low: number;
  high: number;
}

/**
 * `source ADDR[,ADDR...][:LOW-HIGH]`: the local addresses (and ports)
 * connections to servers leave from. With several addresses connections go
 * to the least used; with a range lbd picks each connection's port itself,
 * per server, instead of letting the kernel pick after bind().
 */
export interface SourceConfig {
  /** One or more addresses, all of one family; `0.0.0.0` alone for the wildcard. */
  addresses: string[];
  /** Ports lbd picks from, for every address; absent: the kernel picks. */
  portRange?: PortRange;
}

/** The boolean `option` keywords lbd acts on. */
export interface ProxyOptions {
  redispatch: boolean;
  tcplog: boolean;
  dontlognull: boolean;
  /** `option tcpka`: keepalive on both sides. */
  tcpka: boolean;
  clitcpka: boolean;
  srvtcpka: boolean;
  nolinger: boolean;
  /** `option allbackups`: when all active servers are down, balance over every backup, not only the first. */
  allbackups?: boolean;
}

/** PROXY protocol version sent to a server; 0 means none. */
export type SendProxyVersion = 0 | 1 | 2;

/** `agent-check`: a side channel where the server reports its own state and weight. */
export interface AgentCheckConfig {
  port: number;
  /** @default the server's `inter` */
  interMs: number;
  /** String sent to the agent on each check (`agent-send`). */
  send?: string;
  /** Agent address when it differs from the server's (`agent-addr`). */
  addr?: string;
}

/** What `on-error` does when `error-limit` consecutive errors are observed. HAProxy's default is `fail-check`. */
export type OnErrorAction = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

/** A `server` line, with `default-server` and the built-in defaults applied. */
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
  /** `agent-check` with its `agent-*` parameters; undefined when the agent is off. */
  agent?: AgentCheckConfig;
  /** `observe`: count errors seen on live traffic as health-check failures. */
  observe?: 'layer4' | 'layer7';
  /** `error-limit N`: consecutive observed errors before `on-error` acts. HAProxy's default is 10. */
  errorLimit?: number;
  onError?: OnErrorAction;
  /** `check-send-proxy`: send a PROXY header on health-check connections too. */
  checkSendProxy?: boolean;
  where: SourceLocation;
}

/** `mode`: lbd proxies `tcp`; `http` only serves the stats page. */
export type ProxyMode = 'tcp' | 'http';

/** `stats ...` directives of an HTTP `listen` section, kept for the stats page. */
export interface StatsPageConfig {
  enabled: boolean;
  uri?: string;
  auth: { user: string; password: string }[];
  refreshMs?: number;
  adminIf?: string;
  realm?: string;
  hideVersion?: boolean;
  showLegends?: boolean;
  /** `show-node [NAME]`: `true` means the global `node` name. */
  showNode?: string | true;
  /** `show-desc [TEXT]`: `true` means the global `description`. */
  showDesc?: string | true;
  /** `scope NAME` lines: proxies the page shows; empty means all. */
  scope?: string[];
}

/** The health-check type chosen by an `option ...-check`/`option httpchk` line, with its words as written. */
export interface HealthCheckConfig {
  type:
    | 'tcp-check'
    | 'httpchk'
    | 'mysql-check'
    | 'mysql-replica-check'
    | 'pgsql-check'
    | 'redis-check'
    | 'ldap-check'
    | 'smtpchk'
    | 'ssl-hello-chk';
  args: string[];
  where: SourceLocation;
}

/** One `tcp-check ...` or `http-check ...` line, kept as raw words for the health-check engine. */
export interface CheckRule {
  args: string[];
  where: SourceLocation;
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
  /** `description TEXT`. */
  description?: string;
  /** `hash-type ...` as written; lbd's `source` balance is always consistent. */
  hashType?: string;
  /** The section's own `log` targets (empty with `log global` or no log). */
  logTargets?: LogTarget[];
  /** Health-check type; undefined means a plain TCP connect check. */
  healthCheck?: HealthCheckConfig;
  /** `tcp-check` rules in order (the parser always sets it, possibly empty). */
  tcpCheckRules?: CheckRule[];
  /** `http-check` rules in order (the parser always sets it, possibly empty). */
  httpCheckRules?: CheckRule[];
  where: SourceLocation;
}

/** A whole parsed configuration. */
export interface Config {
  files: string[];
  global: GlobalConfig;
  /** Frontends, backends and listens in order of appearance. */
  proxies: ProxyConfig[];
  notices: ConfigNotice[];
}
