import type { Socket } from 'node:net';
import type { AccessLevel, ActionSource, PortsReport, ReloadResult, SessionInfo } from '@lbctl/protocol';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { Config, StatsSocketConfig, StatsWebSocketConfig } from '../config/types.js';
import type { AdminStateFile } from '../model/admin-state-file.js';
import type { RuntimeModel } from '../model/index.js';
import { computeFdBudget } from '../ports/index.js';
import type { DataPlane } from '../proxy/index.js';
import type { ApiConnectionInfo, ApiContext } from './context.js';
import { EventBus } from './event-bus.js';
import { BackendTracker } from './haproxy/backend-tracker.js';
import { TextSession } from './haproxy/text-session.js';
import { JsonSession } from './json/json-session.js';
import { SubscriptionHub } from './json/subscription-hub.js';
import { socketTransport, webSocketTransport } from './json/transport.js';
import { type ApiLimits, DEFAULT_API_LIMITS } from './limits.js';
import { closeStatsSocket, type ListeningSocket, openStatsSocket } from './unix-socket.js';
import { openWebSocketListener, type WebSocketListener } from './ws-listener.js';

/** What the runtime API is built from. */
export interface RuntimeApiOptions {
  config: Config;
  model: RuntimeModel;
  dataPlane: DataPlane;
  log: Logger;
  /** Epoch ms when the daemon started. */
  startedAt: number;
  /** The daemon's event stream; a new one when not given. */
  events?: EventBus;
  /** Where admin changes are saved (`admin-state-file`). */
  stateFile?: AdminStateFile | undefined;
  /** Limits; unset ones take {@link DEFAULT_API_LIMITS}. */
  limits?: Partial<ApiLimits>;
  /** The daemon's reload; without it the `reload` command answers that lbd cannot reload. */
  reload?: (trigger: string) => Promise<ReloadResult>;
  /** The ports monitor's latest report; without it `show ports` answers that it is not running. */
  portsReport?: () => Promise<PortsReport>;
  /** Brings the counters up to date before each command (the workers' pool). */
  refreshCounters?: () => Promise<void>;
  /** The sessions held by worker processes; without it `show sess` lists this process's. */
  workerSessions?: () => Promise<SessionInfo[]>;
  /** Ulimit-n and Maxsock for `show info`; computed from the configuration when not given. */
  fdLimits?: { ulimitN: number; maxsock: number };
}

/** How often a socket at its client limit logs a refusal, at most. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * The runtime API: every `stats socket` (HAProxy's text dialect, or JSON
 * when a connection's first byte is `{`) and every `stats websocket` (JSON),
 * one command core and one event stream behind them.
 */
export class RuntimeApi {
  readonly events: EventBus;
  private readonly ctx: ApiContext & { stopping: boolean; listenerCount: number; config: Config };
  private readonly hub: SubscriptionHub;
  private readonly tracker: BackendTracker;
  private readonly sockets: ListeningSocket[] = [];
  private readonly webSockets: WebSocketListener[] = [];
  private readonly connections = new Set<ApiConnectionInfo>();
  private readonly open = new Set<{ destroy(): void }>();
  private readonly unsubscribeModel: () => void;
  private nextConnectionId = 1;

  constructor(options: RuntimeApiOptions) {
    this.events = options.events ?? new EventBus();
    this.tracker = new BackendTracker(options.model, options.startedAt);
    this.ctx = {
      config: options.config,
      model: options.model,
      dataPlane: options.dataPlane,
      events: this.events,
      stateFile: options.stateFile,
      log: options.log,
      limits: { ...DEFAULT_API_LIMITS, ...options.limits },
      startedAt: options.startedAt,
      stopping: false,
      connections: this.connections,
      listenerCount: 0,
      reload: options.reload,
      portsReport: options.portsReport,
      workerSessions: options.workerSessions,
      refreshCounters: options.refreshCounters,
      fdLimits: options.fdLimits ?? computeFdBudget(options.config),
      tracker: this.tracker,
    };
    this.hub = new SubscriptionHub(this.ctx);
    this.unsubscribeModel = options.model.onServerChange((change) => {
      const s = change.server;
      this.events.publish({
        topic: 'server',
        time: Date.now(),
        backend: s.backendName,
        server: s.name,
        field: change.field,
        from: change.from,
        to: change.to,
        reason: change.reason,
        status: s.status,
      });
    });
  }

  /**
   * A reload switched the configuration: commands read the new one. The
   * stats sockets themselves stay as opened at start (changes to them
   * apply at the next restart).
   */
  useConfig(config: Config): void {
    this.ctx.config = config;
    this.tracker.reconfigure(Date.now());
  }

  /** Opens every configured socket and listener; stale socket files are replaced, live ones refused. */
  async start(): Promise<void> {
    for (const config of this.ctx.config.global.statsSockets) {
      let active = 0;
      let lastRefusal = 0;
      const socket = await openStatsSocket(config, (connection) => {
        if (active >= this.ctx.limits.maxClients) {
          connection.destroy();
          if (Date.now() - lastRefusal > REFUSAL_LOG_INTERVAL_MS) {
            lastRefusal = Date.now();
            this.ctx.log.warn(
              { path: config.path, code: 'LB_ERR_TOO_MANY_CLIENTS' },
              'stats socket full, connection closed',
            );
          }
          return;
        }
        active++;
        // A peer that hung up no longer counts, even before its socket is fully closed.
        let counted = true;
        const release = () => {
          if (counted) active--;
          counted = false;
        };
        connection.once('end', release);
        connection.once('close', release);
        this.serveUnix(config, connection);
      });
      this.sockets.push(socket);
      this.ctx.listenerCount++;
      this.ctx.log.info({ path: config.path, accessLevel: config.level }, 'stats socket listening');
    }
    for (const config of this.ctx.config.global.statsWebSockets ?? []) {
      const listener = await openWebSocketListener(
        config,
        {
          maxClients: config.maxClients ?? this.ctx.limits.maxClients,
          maxPayload: this.ctx.limits.jsonLineBytes,
          log: this.ctx.log,
        },
        (ws) => this.serveWebSocket(config, listener, ws),
      );
      this.webSockets.push(listener);
      this.ctx.listenerCount++;
      this.ctx.log.info(
        { address: listener.address, accessLevel: config.level },
        'stats websocket listening',
      );
    }
  }

  /** Marks the daemon as stopping (`show info`, FRONTEND status) without closing the API yet. */
  markStopping(): void {
    this.ctx.stopping = true;
  }

  /** Closes every listener and connection. */
  async stop(): Promise<void> {
    this.ctx.stopping = true;
    this.unsubscribeModel();
    this.hub.close();
    this.tracker.close();
    for (const connection of this.open) connection.destroy();
    await Promise.all([...this.sockets.map(closeStatsSocket), ...this.webSockets.map((l) => l.close())]);
  }

  private register(source: ActionSource, closer: { destroy(): void }): () => void {
    const info: ApiConnectionInfo = { id: this.nextConnectionId++, source, openedAt: Date.now() };
    this.connections.add(info);
    this.open.add(closer);
    return () => {
      this.connections.delete(info);
      this.open.delete(closer);
    };
  }

  private serveUnix(config: StatsSocketConfig, socket: Socket): void {
    const source: ActionSource = {
      transport: 'unix',
      dialect: 'haproxy',
      socket: config.path,
      level: config.level,
    };
    const unregister = this.register(source, socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', unregister);
    socket.setTimeout(this.ctx.config.global.statsTimeoutMs);
    socket.on('timeout', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      // The dialect is chosen once, by the first byte: `{` can start no HAProxy command.
      if (first[0] === 0x7b) {
        source.dialect = 'json';
        socket.setTimeout(0);
        const session = new JsonSession(
          this.ctx,
          this.hub,
          socketTransport(socket),
          callerOf(config.level, source),
        );
        socket.on('data', (chunk: Buffer) => session.onBytes(chunk));
        socket.on('end', () => session.onPeerEnded());
        socket.on('close', () => session.onClosed());
        session.onBytes(first);
      } else {
        new TextSession(this.ctx, socket, callerOf(config.level, source)).start(first);
      }
    });
  }

  private serveWebSocket(config: StatsWebSocketConfig, listener: WebSocketListener, ws: WebSocket): void {
    const source: ActionSource = {
      transport: 'ws',
      dialect: 'json',
      socket: listener.address,
      level: config.level,
    };
    const unregister = this.register(source, { destroy: () => ws.terminate() });
    const session = new JsonSession(
      this.ctx,
      this.hub,
      webSocketTransport(ws),
      callerOf(config.level, source),
    );
    ws.on('message', (data: WebSocket.RawData) => session.onMessage(toBuffer(data)));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      unregister();
      session.onClosed();
    });
  }
}

function callerOf(level: AccessLevel, source: ActionSource): { level: AccessLevel; source: ActionSource } {
  return { level, source };
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
