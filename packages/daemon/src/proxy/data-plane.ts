import type { Logger } from 'pino';
import type { SourceConfig } from '../config/types.js';
import type { FrontendModel, RuntimeModel } from '../model/index.js';
import { Admission } from './admission.js';
import { BackendPool } from './backend-pool.js';
import { connectionLogRecord, formatTcpLogLine } from './connection-log.js';
import { FrontendListener } from './frontend-listener.js';
import type { ServerRuntime } from './server-runtime.js';
import type { SessionSummary } from './session-types.js';
import { type CoolingPolicy, FULL_TIME_WAIT, SourcePicker } from './source-address.js';

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
}

/**
 * The data plane: listeners, backend pools and sessions. It reads decisions
 * from the runtime model (and re-reads a backend when the model says a
 * server changed) and keeps the traffic counters the control plane reports.
 */
export class DataPlane {
  readonly pools = new Map<string, BackendPool>();
  readonly listeners: FrontendListener[] = [];
  readonly admission: Admission;
  private readonly sources = new Map<SourceConfig, SourcePicker>();
  private readonly trafficLog: Logger;
  private readonly unsubscribe: () => void;

  private readonly cooling: CoolingPolicy;

  constructor(
    model: RuntimeModel,
    private readonly log: Logger,
    options: DataPlaneOptions = {},
  ) {
    this.cooling = options.cooling ?? FULL_TIME_WAIT;
    this.trafficLog = log.child({ component: 'traffic' });
    this.admission = new Admission(model.config.global.maxconn ?? 4096);
    for (const backend of model.backends.values()) this.pools.set(backend.name, new BackendPool(backend));
    this.unsubscribe = model.onServerChange((change) => this.pools.get(change.server.backendName)?.refresh());
    for (const frontend of model.frontends) {
      const pool = this.pools.get(frontend.backendName);
      if (pool !== undefined) this.listeners.push(this.createListener(frontend, pool));
    }
  }

  async start(): Promise<void> {
    for (const listener of this.listeners) await listener.start();
  }

  /** Stops accepting on every listener; sessions already running continue. */
  async stopAccepting(): Promise<void> {
    this.unsubscribe();
    await Promise.all(this.listeners.map((listener) => listener.stopAccepting()));
  }

  private createListener(frontend: FrontendModel, pool: BackendPool): FrontendListener {
    const fe = frontend.config;
    const be = pool.model.config;
    const global = this.log;
    const logsConnections = fe.log;
    const dontLogNull = fe.options.dontlognull;
    const listener: FrontendListener = new FrontendListener({
      name: fe.name,
      binds: fe.binds,
      maxconn: fe.maxconn ?? this.admission.maxconn,
      backlog: DEFAULT_PARKED_BACKLOG,
      clientKeepAlive: fe.options.tcpka || fe.options.clitcpka,
      proxyHeaderTimeoutMs: fe.timeouts.client ?? DEFAULT_PROXY_HEADER_TIMEOUT_MS,
      admission: this.admission,
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
   * One picker per `source` line, shared by the servers it applies to.
   */
  sourceFor(server: ServerRuntime, backendSource: SourceConfig | undefined): SourcePicker | undefined {
    const source = server.model.source ?? backendSource;
    if (source === undefined) return undefined;
    let picker = this.sources.get(source);
    if (picker === undefined) {
      picker = new SourcePicker(source, this.cooling);
      this.sources.set(source, picker);
    }
    return picker;
  }

  /**
   * The address a health check of `server` should leave from: the least
   * used of its `source` addresses, so checks follow the traffic's spread
   * (the kernel picks the check's port). Undefined without a `source`.
   */
  checkSourceAddress(backendName: string, serverName: string): string | undefined {
    const pool = this.pools.get(backendName);
    const server = pool?.servers.find((s) => s.model.name === serverName);
    if (pool === undefined || server === undefined) return undefined;
    return this.sourceFor(server, pool.model.config.source)?.leastUsedAddress();
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
