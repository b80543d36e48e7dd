import type { Socket } from 'node:net';
import type { BackendPool, CancelWait, Unavailable } from './backend-pool.js';
import type { FrontendCounters } from './counters.js';
import { encodeProxyV1, encodeProxyV2 } from './proxy-protocol.js';
import { type ConnectFailure, connectToServer } from './server-connection.js';
import type { ServerRuntime } from './server-runtime.js';
import type { SourcePicker } from './source-address.js';
import {
  type SessionPhase,
  type TerminationCause,
  type TerminationPhase,
  terminationState,
} from './termination.js';

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
  /** Source endpoints per server (server `source`, else backend `source`). */
  sourceFor(server: ServerRuntime): SourcePicker | undefined;
  /** Called once when the session is over, with what the tcplog line needs; the frontend's session count still includes it. */
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

/**
 * One proxied connection, from accept to close: wait for a server slot,
 * connect (retrying, and redispatching on the last try), then forward bytes
 * both ways with backpressure, half-close and inactivity timeouts.
 */
export class ProxiedSession {
  private phase: SessionPhase = 'Q';
  private server: ServerRuntime | undefined;
  private serverSocket: Socket | undefined;
  private cancelWait: CancelWait | undefined;
  private cancelConnect: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private redispatched = false;
  private readonly acceptedAt = Date.now();
  private queueMs = -1;
  private connectMs = -1;
  private bytesFromClient = 0;
  private bytesFromServer = 0;
  private clientClosed = false;
  private serverClosed = false;
  private cause: TerminationCause = '-';
  private causePhase: TerminationPhase = '-';
  private finished = false;
  /** The backend counts a session once, whatever the redispatches. */
  private backendCounted = false;

  constructor(
    private readonly client: Socket,
    private readonly endpoints: ClientEndpoints,
    private readonly settings: SessionSettings,
  ) {}

  /** Starts the session; the client socket must be paused. */
  start(): void {
    const client = this.client;
    if (this.settings.clientTimeoutMs !== undefined) client.setTimeout(this.settings.clientTimeoutMs);
    client.on('timeout', () => this.abort('c'));
    client.on('error', () => this.abort('C'));
    client.on('close', () => this.onClientClose());
    this.requestServer(undefined);
  }

  /** Ends the session at once, as `shutdown sessions` does (termination K). */
  kill(): void {
    this.abort('K');
  }

  private requestServer(exclude: ServerRuntime | undefined): void {
    this.phase = 'Q';
    const pool = this.settings.pool;
    this.cancelWait = pool.acquire({
      clientAddress: this.endpoints.address,
      exclude,
      onAssigned: (server, waitedMs) => this.onAssigned(server, waitedMs),
      onUnavailable: (reason: Unavailable) => this.fail(reason === 'queue-full' ? 's' : 'S', 'Q'),
      onQueueTimeout: () => this.fail('s', 'Q'),
    });
  }

  private onAssigned(server: ServerRuntime, waitedMs: number): void {
    this.cancelWait = undefined;
    if (!this.backendCounted) {
      this.backendCounted = true;
      this.settings.pool.counters.open(Date.now());
      this.queueMs = waitedMs;
    }
    this.server = server;
    server.sessions.add(this);
    this.connect();
  }

  private connect(): void {
    const server = this.server!;
    this.phase = 'C';
    const startedAt = Date.now();
    this.cancelConnect = connectToServer(
      {
        host: server.model.host,
        port: server.model.port,
        timeoutMs: this.settings.connectTimeoutMs,
        keepAlive: this.settings.serverKeepAlive,
        source: this.settings.sourceFor(server),
      },
      (socket) => this.onConnected(socket, Date.now() - startedAt),
      (failure) => this.onConnectFailed(failure),
    );
  }

  private onConnectFailed(failure: ConnectFailure): void {
    this.cancelConnect = undefined;
    const server = this.server!;
    const pool = this.settings.pool;
    server.observer?.(failure === 'timeout' ? 'connect-timeout' : 'connect-refused');
    if (this.failedAttempts >= this.settings.retries) {
      // HAProxy's econ counts sessions whose connection finally failed, not each attempt.
      server.counters.connectErrors++;
      pool.counters.connectErrors++;
      this.fail(failure === 'timeout' ? 's' : failure === 'no-source-port' ? 'R' : 'S', 'C');
      return;
    }
    this.failedAttempts++;
    if (this.shouldRedispatch(server)) {
      this.redispatched = true;
      server.counters.redispatches++;
      pool.counters.redispatches++;
      server.sessions.delete(this);
      pool.release(server);
      this.server = undefined;
      this.requestServer(server);
      return;
    }
    server.counters.retries++;
    pool.counters.retries++;
    // HAProxy's turn-around: a refused server is retried after min(timeout connect, 1 s),
    // so a restarting server is not hammered; a timeout already waited.
    const delay = failure === 'timeout' ? 0 : Math.min(this.settings.connectTimeoutMs ?? 1000, 1000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  /**
   * HAProxy 2.6's rule with `option redispatch`: move to another server when
   * this one is no longer usable, on the last retry, or at once in a
   * round-robin backend with several active servers (nothing ties the client
   * to this one).
   */
  private shouldRedispatch(server: ServerRuntime): boolean {
    const pool = this.settings.pool;
    if (!this.settings.redispatch || !pool.usableServers.some((s) => s !== server)) return false;
    if (!server.model.acceptsNewConnections || this.failedAttempts === this.settings.retries) return true;
    const roundRobin = pool.model.algorithm === 'roundrobin' || pool.model.algorithm === 'static-rr';
    return roundRobin && pool.usableServers.filter((s) => !s.model.backup).length > 1;
  }

  private onConnected(socket: Socket, connectMs: number): void {
    this.cancelConnect = undefined;
    const server = this.server!;
    server.observer?.('connected');
    this.connectMs = connectMs;
    server.counters.connects++;
    server.counters.connectTime.add(connectMs);
    this.settings.pool.counters.connects++;
    this.settings.pool.counters.connectTime.add(connectMs);
    this.serverSocket = socket;
    this.phase = 'D';
    if (server.model.sendProxy !== 0) {
      const addresses = {
        sourceAddress: this.endpoints.address,
        sourcePort: this.endpoints.port,
        destinationAddress: this.endpoints.localAddress,
        destinationPort: this.endpoints.localPort,
      };
      socket.write(server.model.sendProxy === 2 ? encodeProxyV2(addresses) : encodeProxyV1(addresses));
    }
    this.forward(server, socket);
  }

  /** Byte forwarding both ways; a full write buffer pauses the other side (backpressure). */
  private forward(server: ServerRuntime, socket: Socket): void {
    const client = this.client;
    const settings = this.settings;
    const frontendCounters = settings.frontendCounters;
    const backendCounters = settings.pool.counters;
    const serverCounters = server.counters;
    const tunnel = settings.tunnelTimeoutMs;
    if (tunnel !== undefined) client.setTimeout(tunnel);
    const serverTimeout = tunnel ?? settings.serverTimeoutMs;
    if (serverTimeout !== undefined) socket.setTimeout(serverTimeout);
    socket.on('timeout', () => this.abort('s'));
    socket.on('error', () => this.abort('S'));
    socket.on('close', () => this.onServerClose());

    client.on('data', (chunk: Buffer) => {
      const length = chunk.length;
      this.bytesFromClient += length;
      frontendCounters.bytesIn += length;
      backendCounters.bytesIn += length;
      serverCounters.bytesIn += length;
      if (!socket.write(chunk)) client.pause();
    });
    socket.on('data', (chunk: Buffer) => {
      const length = chunk.length;
      this.bytesFromServer += length;
      frontendCounters.bytesOut += length;
      backendCounters.bytesOut += length;
      serverCounters.bytesOut += length;
      if (!client.write(chunk)) socket.pause();
    });
    socket.on('drain', () => client.resume());
    client.on('drain', () => socket.resume());

    // Half-close: a FIN from one side is passed on once the bytes before it are written.
    client.on('end', () => {
      this.shutWrite(socket, settings.serverNoLinger);
      if (settings.clientFinTimeoutMs !== undefined) client.setTimeout(settings.clientFinTimeoutMs);
    });
    socket.on('end', () => {
      this.shutWrite(client, settings.clientNoLinger);
      if (settings.serverFinTimeoutMs !== undefined) socket.setTimeout(settings.serverFinTimeoutMs);
    });
    client.resume();
  }

  /** Passes a FIN on; `option nolinger` resets instead, so no TIME_WAIT stays behind. */
  private shutWrite(socket: Socket, noLinger: boolean): void {
    if (noLinger) socket.resetAndDestroy();
    else socket.end();
  }

  private onClientClose(): void {
    this.clientClosed = true;
    if (this.phase !== 'D') {
      // The client left while waiting for a server: give up the attempt.
      this.abort('C');
      return;
    }
    if (this.serverClosed) this.finish();
  }

  private onServerClose(): void {
    this.serverClosed = true;
    if (this.clientClosed) this.finish();
    else if (!this.client.writableEnded) this.client.end();
  }

  /** A failure before any byte was forwarded: close the client and account for it. */
  private fail(cause: TerminationCause, phase: TerminationPhase): void {
    this.setCause(cause, phase);
    this.client.destroy();
    this.finish();
  }

  /** An abnormal end (error, timeout, kill): close both sides now. */
  private abort(cause: TerminationCause): void {
    if (this.finished) return;
    this.setCause(cause, this.phase);
    if (this.phase === 'D' && this.server) {
      if (cause === 'C' || cause === 'c') {
        this.server.counters.clientAborts++;
        this.settings.pool.counters.clientAborts++;
      } else if (cause === 'S' || cause === 's') {
        if (cause === 'S') this.server.observer?.('server-reset');
        this.server.counters.serverAborts++;
        this.settings.pool.counters.serverAborts++;
      }
    }
    this.client.destroy();
    this.serverSocket?.destroy();
    this.finish();
  }

  private setCause(cause: TerminationCause, phase: TerminationPhase): void {
    if (this.cause !== '-') return;
    this.cause = cause;
    this.causePhase = phase;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelWait?.();
    this.cancelConnect?.();
    clearTimeout(this.retryTimer);
    const settings = this.settings;
    const pool = settings.pool;
    const server = this.server;
    const now = Date.now();
    const totalMs = now - this.acceptedAt;
    if (server !== undefined) {
      server.sessions.delete(this);
      server.counters.totalTime.add(totalMs);
      pool.release(server);
    }
    if (this.backendCounted) {
      pool.counters.close();
      pool.counters.totalTime.add(totalMs);
    }
    // The frontend closes its count after this (and after logging), so
    // actconn/feconn include this session as HAProxy's tcplog counts it.
    settings.onEnd({
      client: this.endpoints,
      acceptedAt: this.acceptedAt,
      frontend: settings.frontendName,
      backend: pool.name,
      server: server?.model.name,
      queueMs: this.queueMs,
      connectMs: this.connectMs,
      totalMs,
      bytesFromServer: this.bytesFromServer,
      bytesFromClient: this.bytesFromClient,
      termination: terminationState(this.cause, this.causePhase),
      retries: this.failedAttempts,
      redispatched: this.redispatched,
      serverConnections: server?.counters.current ?? 0,
      backendConnections: pool.counters.current,
    });
  }
}
