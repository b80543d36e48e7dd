import type { Logger } from 'pino';
import type { BindConfig, Config, SourceConfig } from '../config/types.js';
import type { FrontendModel, RuntimeModel } from '../model/index.js';
import { Admission } from './admission.js';
import { BackendPool } from './backend-pool.js';
import { BoundSocket, bindKey } from './bound-socket.js';
import { connectionLogRecord, formatTcpLogLine } from './connection-log.js';
import { FrontendListener } from './frontend-listener.js';
import type { ServerRuntime } from './server-runtime.js';
import type { SessionSummary } from './session-types.js';
import { type CoolingPolicy, FULL_TIME_WAIT, SourcePicker } from './source-address.js';
import { limitShare, portRangeShare, type WorkerShare } from './worker-share.js';

/** How long an `accept-proxy` client may take to send its header when `timeout client` is unset. */
const DEFAULT_PROXY_HEADER_TIMEOUT_MS = 5000;
/** Connections held while a frontend is at its maxconn, before new ones are refused. */
const DEFAULT_PARKED_BACKLOG = 1024;

/** Settings of the data plane that do not come from the configuration file. */
export interface DataPlaneOptions {
  /**
   * When a port lbd picked may serve the same server again after lbd closed
   * first; the daemon derives it from the kernel's `tcp_tw_reuse`.
   * @default the whole TIME_WAIT (60 s)
   */
  cooling?: CoolingPolicy;
  /** Who carries the traffic; see {@link DataPlaneRole}. @default `{ kind: 'standalone' }` */
  role?: DataPlaneRole;
}

/**
 * - `standalone`: the only process; binds its listeners itself.
 * - `worker`: one of `nbthread` worker processes; accepts on the sockets the
 *   master bound (`handles`, by {@link bindKey}) and keeps its `share` of
 *   the connection limits and port ranges.
 * - `mirror`: the master's copy when workers carry the traffic. It never
 *   listens; its counters show the workers' aggregate, so the runtime API
 *   and the ports monitor read one data plane whatever the process layout.
 */
export type DataPlaneRole =
  | { kind: 'standalone' }
  | { kind: 'worker'; share: WorkerShare; handles: ReadonlyMap<string, object> }
  | { kind: 'mirror' };

/**
 * The data plane: listeners, backend pools and sessions. It reads decisions
 * from the runtime model (and re-reads a backend when the model says a
 * server changed) and keeps the traffic counters the control plane reports.
 */
export class DataPlane {
  readonly pools = new Map<string, BackendPool>();
  readonly listeners: FrontendListener[] = [];
  readonly admission: Admission;
  /** Pickers by the `source` line's settings, so a reload keeps a picker (and its ports in use) for an unchanged line. */
  private readonly sources = new Map<string, SourcePicker>();
  /** The same pickers by `source` object: the per-connection lookup stays a pointer lookup. */
  private readonly pickerOf = new WeakMap<SourceConfig, SourcePicker>();
  private readonly trafficLog: Logger;
  private readonly unsubscribe: () => void;

  private readonly cooling: CoolingPolicy;
  readonly role: DataPlaneRole;

  constructor(
    private readonly model: RuntimeModel,
    private readonly log: Logger,
    options: DataPlaneOptions = {},
  ) {
    this.cooling = options.cooling ?? FULL_TIME_WAIT;
    this.role = options.role ?? { kind: 'standalone' };
    this.trafficLog = log.child({ component: 'traffic' });
    this.admission = new Admission(this.share(model.config.global.maxconn ?? 4096));
    for (const backend of model.backends.values()) this.pools.set(backend.name, new BackendPool(backend));
    this.unsubscribe = model.onServerChange((change) => this.pools.get(change.server.backendName)?.refresh());
    for (const frontend of model.frontends) {
      const pool = this.pools.get(frontend.backendName);
      if (pool !== undefined) this.listeners.push(this.createListener(frontend, pool));
    }
  }

  async start(): Promise<void> {
    const role = this.role;
    if (role.kind === 'mirror') return;
    for (const listener of this.listeners) {
      if (role.kind === 'standalone') await listener.start();
      else await listener.start((bind, keepAlive) => adoptMasterSocket(role.handles, bind, keepAlive));
    }
  }

  /** This process's part of a daemon-wide limit (all of it unless it is a worker). */
  private share(limit: number): number {
    return this.role.kind === 'worker' ? limitShare(limit, this.role.share) : limit;
  }

  /**
   * First half of a reload, before anything changes: opens the binds of
   * `config` that no listener holds yet. Throws (having closed what it
   * opened) when one cannot be bound, so a reload that would lose a
   * listener is refused while the old configuration runs untouched.
   */
  async openNewBinds(config: Config): Promise<Map<string, BoundSocket>> {
    const opened = new Map<string, BoundSocket>();
    // The mirror holds no sockets: the master's worker pool opens the binds.
    if (this.role.kind === 'mirror') return opened;
    const held = new Set(this.listeners.flatMap((listener) => listener.bindKeys));
    try {
      for (const proxy of config.proxies) {
        if (proxy.disabled || proxy.mode !== 'tcp' || proxy.kind === 'backend') continue;
        for (const bind of proxy.binds) {
          const key = bindKey(bind);
          if (held.has(key) || opened.has(key)) continue;
          opened.set(key, await BoundSocket.listen(bind, proxy.options.tcpka || proxy.options.clitcpka));
        }
      }
    } catch (err) {
      for (const socket of opened.values()) socket.stopListening();
      throw err;
    }
    return opened;
  }

  /**
   * Second half of a reload, after the model took the new configuration:
   * new pools (keeping the runtimes and counters of servers the model kept)
   * and new listeners, which take over the sockets of unchanged binds and
   * those `opened` by {@link openNewBinds}, synchronously, so no connection
   * finds a closed port. Binds no longer configured close. Sessions already
   * running keep the pool, settings and counters they started with.
   */
  reconfigure(opened: Map<string, BoundSocket>): void {
    const model = this.model;
    this.admission.maxconn = this.share(model.config.global.maxconn ?? 4096);
    const oldPools = new Map(this.pools);
    this.pools.clear();
    for (const backend of model.backends.values()) {
      this.pools.set(backend.name, new BackendPool(backend, oldPools.get(backend.name)));
    }
    const old = this.listeners.splice(0);
    const sockets = new Map(opened);
    const byName = new Map<string, FrontendListener>();
    for (const frontend of model.frontends) {
      const pool = this.pools.get(frontend.backendName);
      if (pool === undefined) continue;
      const previous = old.find((l) => l.name === frontend.name);
      const listener = this.createListener(frontend, pool, previous);
      this.listeners.push(listener);
      byName.set(listener.name, listener);
    }
    for (const listener of old) listener.retire(sockets, byName.get(listener.name));
    if (this.role.kind !== 'mirror') for (const listener of this.listeners) listener.adopt(sockets);
    // What no new listener took is a bind that left the configuration. Its
    // sessions go on; the reload does not wait for them.
    for (const socket of sockets.values()) socket.stopListening();
  }

  /** Stops accepting on every listener; sessions already running continue. */
  async stopAccepting(): Promise<void> {
    this.unsubscribe();
    await Promise.all(this.listeners.map((listener) => listener.stopAccepting()));
  }

  private createListener(
    frontend: FrontendModel,
    pool: BackendPool,
    previous?: FrontendListener,
  ): FrontendListener {
    const fe = frontend.config;
    const be = pool.model.config;
    const global = this.log;
    const logsConnections = fe.log;
    const dontLogNull = fe.options.dontlognull;
    const listener: FrontendListener = new FrontendListener({
      name: fe.name,
      binds: fe.binds,
      maxconn: fe.maxconn === undefined ? this.admission.maxconn : this.share(fe.maxconn),
      backlog: DEFAULT_PARKED_BACKLOG,
      clientKeepAlive: fe.options.tcpka || fe.options.clitcpka,
      proxyHeaderTimeoutMs: fe.timeouts.client ?? DEFAULT_PROXY_HEADER_TIMEOUT_MS,
      admission: this.admission,
      counters: previous?.counters,
      onProxyHeaderError: (client, reason) =>
        global.warn({ component: 'proxy', frontend: fe.name, client, reason }, 'bad PROXY protocol header'),
      session: {
        frontendName: fe.name,
        pool,
        retries: be.retries,
        redispatch: be.options.redispatch,
        connectTimeoutMs: be.timeouts.connect,
        clientTimeoutMs: fe.timeouts.client,
        serverTimeoutMs: be.timeouts.server,
        clientFinTimeoutMs: fe.timeouts.clientFin,
        serverFinTimeoutMs: be.timeouts.serverFin,
        tunnelTimeoutMs: be.timeouts.tunnel,
        clientNoLinger: fe.options.nolinger,
        serverNoLinger: be.options.nolinger,
        serverKeepAlive: be.options.tcpka || be.options.srvtcpka,
        captureEndpoints:
          logsConnections || be.balance === 'source' || pool.servers.some((s) => s.model.sendProxy !== 0),
        sourceFor: (server) => this.sourceFor(server, be.source),
        onEnd: (summary) => {
          if (logsConnections && !(dontLogNull && summary.bytesFromClient === 0)) {
            this.logConnection(summary, listener, pool);
          }
        },
      },
    });
    return listener;
  }

  /**
   * The source picker a server's connections use: the server's `source`,
   * else its backend's; undefined when neither is set (the kernel chooses).
   * One picker per distinct `source` setting, shared by the servers it
   * applies to and kept across reloads while the setting stays.
   */
  sourceFor(server: ServerRuntime, backendSource: SourceConfig | undefined): SourcePicker | undefined {
    const source = server.model.source ?? backendSource;
    if (source === undefined) return undefined;
    let picker = this.pickerOf.get(source);
    if (picker !== undefined) return picker;
    const key = JSON.stringify(source, (k, v: unknown) => (k === 'where' ? undefined : v));
    picker = this.sources.get(key);
    if (picker === undefined) {
      picker = new SourcePicker(this.ownSlice(source), this.cooling);
      this.sources.set(key, picker);
    }
    this.pickerOf.set(source, picker);
    return picker;
  }

  /** A worker picks ports only in its own slice of a `source` port range. */
  private ownSlice(source: SourceConfig): SourceConfig {
    const range = source.portRange;
    if (this.role.kind !== 'worker' || range === undefined) return source;
    return { ...source, portRange: portRangeShare(range.low, range.high, this.role.share) };
  }

  private logConnection(summary: SessionSummary, listener: FrontendListener, pool: BackendPool): void {
    const server = pool.servers.find((s) => s.model.name === summary.server);
    const record = connectionLogRecord(summary, {
      active: this.admission.active,
      frontend: listener.counters.current,
      serverQueue: server?.counters.queued ?? 0,
      backendQueue: pool.queued,
    });
    this.trafficLog.info(record, formatTcpLogLine(record));
  }
}

function adoptMasterSocket(
  handles: ReadonlyMap<string, object>,
  bind: BindConfig,
  keepAlive: boolean,
): Promise<BoundSocket> {
  const handle = handles.get(bindKey(bind));
  if (handle === undefined)
    return Promise.reject(new Error(`worker: the master sent no socket for ${bindKey(bind)}`));
  return BoundSocket.adoptHandle(bind, keepAlive, handle);
}
