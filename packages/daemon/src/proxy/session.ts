import type { Socket } from 'node:net';
import type { CancelWait, ServerRequest, Unavailable } from './backend-pool.js';
import { encodeProxyV1, encodeProxyV2 } from './proxy-protocol.js';
import { type ConnectFailure, connectToServer } from './server-connection.js';
import type { ServerRuntime, SessionDescription } from './server-runtime.js';
import {
  kSession,
  onClientClose,
  onClientData,
  onClientDrain,
  onClientEnd,
  onClientError,
  onClientTimeout,
  onServerClose,
  onServerData,
  onServerDrain,
  onServerEnd,
  onServerError,
  onServerTimeout,
  type SessionSocket,
  shutWrite,
  socketEndpoints,
} from './session-socket.js';
import type { ClientEndpoints, SessionSettings, SessionSummary } from './session-types.js';
import { type LocalEndpoint, releaseEndpoint } from './source-address.js';
import {
  type SessionPhase,
  type TerminationCause,
  type TerminationPhase,
  terminationState,
} from './termination.js';

/** Addresses of a session whose configuration needs none of them. */
const UNKNOWN_ENDPOINTS: ClientEndpoints = { address: '', port: 0, localAddress: '', localPort: 0 };

/**
 * One proxied connection, from accept to close: wait for a server slot,
 * connect (retrying, and redispatching on the last try), then forward bytes
 * both ways with backpressure, half-close and inactivity timeouts.
 * Socket events reach it through the shared handlers of session-socket.ts.
 */
export class ProxiedSession implements ServerRequest, SessionSummary {
  phase: SessionPhase = 'Q';
  serverSocket: Socket | undefined;
  private runtime: ServerRuntime | undefined;
  private cancelWait: CancelWait | undefined;
  private cancelConnect: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  /** The source endpoint the server connection left from, when `source` is set. */
  private local: LocalEndpoint | undefined;
  /** Who sent the first FIN toward the server decides where the TIME_WAIT lands. */
  private finSentToServer = false;
  private serverClosedFirst = false;
  redispatched = false;
  readonly acceptedAt = Date.now();
  queueMs = -1;
  connectMs = -1;
  totalMs = 0;
  bytesFromClient = 0;
  bytesFromServer = 0;
  serverConnections = 0;
  backendConnections = 0;
  clientClosed = false;
  serverClosed = false;
  private cause: TerminationCause = '-';
  private causePhase: TerminationPhase = '-';
  private finished = false;
  /** The backend counts a session once, whatever the redispatches. */
  private backendCounted = false;
  /** The server a redispatch moves away from (ServerRequest). */
  exclude: ServerRuntime | undefined;
  readonly client: ClientEndpoints;

  constructor(
    readonly clientSocket: Socket,
    endpoints: ClientEndpoints | undefined,
    readonly settings: SessionSettings,
  ) {
    this.client =
      endpoints ?? (settings.captureEndpoints ? socketEndpoints(clientSocket) : UNKNOWN_ENDPOINTS);
  }

  get clientAddress(): string {
    return this.client.address;
  }

  get frontend(): string {
    return this.settings.frontendName;
  }

  get backend(): string {
    return this.settings.pool.name;
  }

  get server(): string | undefined {
    return this.runtime?.model.name;
  }

  get retries(): number {
    return this.failedAttempts;
  }

  get termination(): string {
    return terminationState(this.cause, this.causePhase);
  }

  /** Starts the session; the client socket must be paused. */
  start(): void {
    const client = this.clientSocket as SessionSocket;
    client[kSession] = this;
    if (this.settings.clientTimeoutMs !== undefined) client.setTimeout(this.settings.clientTimeoutMs);
    client.on('timeout', onClientTimeout);
    client.on('error', onClientError);
    client.on('close', onClientClose);
    this.requestServer(undefined);
  }

  /** Ends the session at once, as `shutdown sessions` does (termination K). */
  kill(): void {
    this.abort('K');
  }

  /** For `show sess`; reads the socket's addresses when start did not need them. */
  describe(): SessionDescription {
    const client = this.client === UNKNOWN_ENDPOINTS ? socketEndpoints(this.clientSocket) : this.client;
    return {
      source: `${client.address}:${client.port}`,
      frontend: this.frontend,
      acceptedAt: this.acceptedAt,
    };
  }

  private requestServer(exclude: ServerRuntime | undefined): void {
    this.phase = 'Q';
    this.exclude = exclude;
    this.cancelWait = this.settings.pool.acquire(this);
  }

  onUnavailable(reason: Unavailable): void {
    this.fail(reason === 'queue-full' ? 's' : 'S', 'Q');
  }

  onQueueTimeout(): void {
    this.fail('s', 'Q');
  }

  onAssigned(server: ServerRuntime, waitedMs: number): void {
    this.cancelWait = undefined;
    if (!this.backendCounted) {
      this.backendCounted = true;
      this.settings.pool.counters.open(Date.now());
      this.queueMs = waitedMs;
    }
    this.runtime = server;
    server.sessions.add(this);
    this.connect();
  }

  private connect(): void {
    const server = this.runtime!;
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
      (socket, local) => this.onConnected(socket, local, Date.now() - startedAt),
      (failure) => this.onConnectFailed(failure),
    );
  }

  private onConnectFailed(failure: ConnectFailure): void {
    this.cancelConnect = undefined;
    const server = this.runtime!;
    const pool = this.settings.pool;
    if (failure === 'no-source-port') {
      this.onNoSourcePort(server);
      return;
    }
    server.observer?.(failure === 'timeout' ? 'connect-timeout' : 'connect-refused');
    if (this.failedAttempts >= this.settings.retries) {
      // HAProxy's econ counts sessions whose connection finally failed, not each attempt.
      server.counters.connectErrors++;
      pool.counters.connectErrors++;
      this.fail(failure === 'timeout' ? 's' : 'S', 'C');
      return;
    }
    this.failedAttempts++;
    if (this.shouldRedispatch(server)) {
      this.redispatchFrom(server);
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
   * Every source address was tried and none had a port toward this server:
   * the server is fine, lbd is short of ports. Waiting would not help within
   * a client's patience (TIME_WAIT lasts 60 s), so the session moves to
   * another server now if it may (with lbd-picked ports each server has its
   * own), else the client is closed at once (termination RC) rather than
   * left hanging. Not a health signal: the server was never reached.
   */
  private onNoSourcePort(server: ServerRuntime): void {
    const pool = this.settings.pool;
    server.counters.sourcePortFailures++;
    pool.counters.sourcePortFailures++;
    if (
      this.failedAttempts < this.settings.retries &&
      this.settings.redispatch &&
      pool.usableServers.some((s) => s !== server)
    ) {
      this.failedAttempts++;
      this.redispatchFrom(server);
      return;
    }
    server.counters.connectErrors++;
    pool.counters.connectErrors++;
    this.fail('R', 'C');
  }

  /** Leaves `server` (counted as a redispatch on it and the backend) for another one. */
  private redispatchFrom(server: ServerRuntime): void {
    const pool = this.settings.pool;
    this.redispatched = true;
    server.counters.redispatches++;
    pool.counters.redispatches++;
    server.sessions.delete(this);
    pool.release(server);
    this.runtime = undefined;
    this.requestServer(server);
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

  private onConnected(socket: Socket, local: LocalEndpoint | undefined, connectMs: number): void {
    this.cancelConnect = undefined;
    this.local = local;
    const server = this.runtime!;
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
        sourceAddress: this.client.address,
        sourcePort: this.client.port,
        destinationAddress: this.client.localAddress,
        destinationPort: this.client.localPort,
      };
      socket.write(server.model.sendProxy === 2 ? encodeProxyV2(addresses) : encodeProxyV1(addresses));
    }
    this.forward(socket as SessionSocket);
  }

  /** Byte forwarding both ways; a full write buffer pauses the other side (backpressure). */
  private forward(socket: SessionSocket): void {
    const client = this.clientSocket;
    const settings = this.settings;
    socket[kSession] = this;
    const tunnel = settings.tunnelTimeoutMs;
    if (tunnel !== undefined) client.setTimeout(tunnel);
    const serverTimeout = tunnel ?? settings.serverTimeoutMs;
    if (serverTimeout !== undefined) socket.setTimeout(serverTimeout);
    socket.on('timeout', onServerTimeout);
    socket.on('error', onServerError);
    socket.on('close', onServerClose);
    client.on('data', onClientData);
    socket.on('data', onServerData);
    socket.on('drain', onServerDrain);
    client.on('drain', onClientDrain);
    client.on('end', onClientEnd);
    socket.on('end', onServerEnd);
    client.resume();
  }

  /** Bytes from the client, counted where `show stat` reports them, then passed on. */
  fromClient(chunk: Buffer): void {
    const length = chunk.length;
    this.bytesFromClient += length;
    this.settings.frontendCounters.bytesIn += length;
    this.settings.pool.counters.bytesIn += length;
    this.runtime!.counters.bytesIn += length;
    if (!this.serverSocket!.write(chunk)) this.clientSocket.pause();
  }

  fromServer(chunk: Buffer): void {
    const length = chunk.length;
    this.bytesFromServer += length;
    this.settings.frontendCounters.bytesOut += length;
    this.settings.pool.counters.bytesOut += length;
    this.runtime!.counters.bytesOut += length;
    if (!this.clientSocket.write(chunk)) this.serverSocket!.pause();
  }

  /** Half-close: a FIN from one side is passed on once the bytes before it are written. */
  clientEnded(): void {
    if (!this.serverClosedFirst) this.finSentToServer = true;
    shutWrite(this.serverSocket!, this.settings.serverNoLinger);
    if (this.settings.clientFinTimeoutMs !== undefined)
      this.clientSocket.setTimeout(this.settings.clientFinTimeoutMs);
  }

  serverEnded(): void {
    if (!this.finSentToServer) this.serverClosedFirst = true;
    shutWrite(this.clientSocket, this.settings.clientNoLinger);
    if (this.settings.serverFinTimeoutMs !== undefined)
      this.serverSocket!.setTimeout(this.settings.serverFinTimeoutMs);
  }

  clientClosedNow(): void {
    this.clientClosed = true;
    if (this.phase !== 'D') {
      // The client left while waiting for a server: give up the attempt.
      this.abort('C');
      return;
    }
    if (this.serverClosed) this.finish();
  }

  serverClosedNow(): void {
    this.serverClosed = true;
    if (this.clientClosed) this.finish();
    else if (!this.clientSocket.writableEnded) this.clientSocket.end();
  }

  /** A failure before any byte was forwarded: close the client and account for it. */
  private fail(cause: TerminationCause, phase: TerminationPhase): void {
    this.setCause(cause, phase);
    this.clientSocket.destroy();
    this.finish();
  }

  /** An abnormal end (error, timeout, kill): close both sides now. */
  abort(cause: TerminationCause): void {
    if (this.finished) return;
    this.setCause(cause, this.phase);
    const server = this.runtime;
    if (this.phase === 'D' && server !== undefined) {
      if (cause === 'C' || cause === 'c') {
        server.counters.clientAborts++;
        this.settings.pool.counters.clientAborts++;
      } else if (cause === 'S' || cause === 's') {
        if (cause === 'S') server.observer?.('server-reset');
        server.counters.serverAborts++;
        this.settings.pool.counters.serverAborts++;
      }
    }
    this.clientSocket.destroy();
    const serverSocket = this.serverSocket;
    if (serverSocket !== undefined) {
      // `option nolinger`: a reset leaves no TIME_WAIT behind, as SO_LINGER 0 does in HAProxy.
      if (this.settings.serverNoLinger && !serverSocket.destroyed) serverSocket.resetAndDestroy();
      else serverSocket.destroy();
    }
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
    const pool = this.settings.pool;
    const server = this.runtime;
    this.totalMs = Date.now() - this.acceptedAt;
    const local = this.local;
    if (local !== undefined) {
      this.local = undefined;
      // lbd keeps the TIME_WAIT when it sent the first FIN; a reset or the server closing first leaves none here.
      const timeWait = !this.settings.serverNoLinger && !this.serverClosedFirst;
      releaseEndpoint(local, timeWait ? 'time-wait' : 'free', Date.now());
    }
    if (server !== undefined) {
      server.sessions.delete(this);
      server.counters.totalTime.add(this.totalMs);
      pool.release(server);
      this.serverConnections = server.counters.current;
    }
    if (this.backendCounted) {
      pool.counters.close();
      pool.counters.totalTime.add(this.totalMs);
    }
    this.backendConnections = pool.counters.current;
    this.settings.onEnd(this);
  }
}
