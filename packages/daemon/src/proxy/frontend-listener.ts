import type { Socket } from 'node:net';
import type { BindConfig } from '../config/types.js';
import type { Admission } from './admission.js';
import { BoundSocket, bindKey } from './bound-socket.js';
import { FrontendCounters } from './counters.js';
import { readProxyHeader } from './proxy-header-reader.js';
import { ProxiedSession } from './session.js';
import { socketEndpoints } from './session-socket.js';
import type { ClientEndpoints, SessionSettings } from './session-types.js';

/** Gives a listener its socket for one bind. */
export type SocketOpener = (bind: BindConfig, clientKeepAlive: boolean) => Promise<BoundSocket>;

export interface FrontendListenerOptions {
  name: string;
  binds: readonly BindConfig[];
  /** The frontend's session limit (its `maxconn`, else the global one). */
  maxconn: number;
  /** Connections held, paused, while at the limit; more are refused. */
  backlog: number;
  clientKeepAlive: boolean;
  /** How long a client may take to send its PROXY header. */
  proxyHeaderTimeoutMs: number;
  admission: Admission;
  /** Session settings without the frontend's own counters, filled in here. */
  session: Omit<SessionSettings, 'frontendCounters'>;
  onProxyHeaderError(client: string, reason: string): void;
  /** The counters of the listener this one replaces on a reload (same frontend name). */
  counters?: FrontendCounters;
}

/**
 * A frontend's listening sockets and its admission control: accept, hold
 * connections beyond `maxconn` (frontend or global) until a slot frees,
 * read a PROXY header where `accept-proxy` asks for one, start sessions.
 */
export class FrontendListener {
  readonly counters: FrontendCounters;
  private readonly sockets: BoundSocket[] = [];
  private readonly parked: Socket[] = [];
  private readonly settings: SessionSettings;
  private readonly admitWaiter = () => this.admitParked();

  constructor(private readonly options: FrontendListenerOptions) {
    this.counters = options.counters ?? new FrontendCounters();
    const onEnd = options.session.onEnd;
    this.settings = {
      ...options.session,
      frontendCounters: this.counters,
      onEnd: (summary) => {
        onEnd(summary);
        this.counters.close();
        options.admission.active--;
        this.admitParked();
        options.admission.released();
      },
    };
    options.admission.addWaiter(this.admitWaiter);
  }

  get name(): string {
    return this.options.name;
  }

  /** Addresses actually bound, as `host:port` (port 0 in a bind resolves here). */
  get boundAddresses(): string[] {
    return this.sockets.map((socket) => socket.address);
  }

  /** The bind addresses this listener needs, as {@link bindKey}s. */
  get bindKeys(): string[] {
    return this.options.binds.map((bind) => bindKey(bind));
  }

  /**
   * Opens a socket for each bind with `open` (by default, binds it here)
   * and starts taking connections on it.
   */
  async start(open: SocketOpener = BoundSocket.listen): Promise<void> {
    for (const bind of this.options.binds) {
      const socket = await open(bind, this.options.clientKeepAlive);
      this.attach(socket, bind);
    }
  }

  /**
   * A reload's start: takes its sockets from `bound` (by {@link bindKey}),
   * all of them already listening, and attaches to each synchronously.
   */
  adopt(bound: Map<string, BoundSocket>): void {
    for (const bind of this.options.binds) {
      const key = bindKey(bind);
      const socket = bound.get(key);
      if (socket === undefined) throw new Error(`reload: no listening socket for ${key}`);
      bound.delete(key);
      this.attach(socket, bind);
    }
  }

  /**
   * A reload's end for the listener being replaced: gives up its sockets
   * (into `into`, for the new listeners or for closing) and its parked
   * connections (to `successor`, the new listener of the same frontend, or
   * closed when the frontend is gone). Its running sessions go on.
   */
  retire(into: Map<string, BoundSocket>, successor: FrontendListener | undefined): void {
    this.options.admission.removeWaiter(this.admitWaiter);
    for (const socket of this.sockets.splice(0)) into.set(socket.key, socket);
    for (const socket of this.parked.splice(0)) {
      if (successor === undefined || socket.destroyed) socket.destroy();
      else successor.onConnection(socket, (socket as ParkedSocket).acceptProxy === true, false);
    }
  }

  /**
   * Stops accepting; parked connections are refused, running sessions go on.
   * Resolves at once: waiting for the sessions is the caller's business
   * (a graceful stop bounds it with `hard-stop-after`).
   */
  async stopAccepting(): Promise<void> {
    for (const socket of this.parked.splice(0)) socket.destroy();
    for (const socket of this.sockets) socket.stopListening();
  }

  private attach(socket: BoundSocket, bind: BindConfig): void {
    this.sockets.push(socket);
    socket.attach((client) => this.onConnection(client, bind.acceptProxy));
  }

  private get atLimit(): boolean {
    return this.counters.current >= this.options.maxconn || this.options.admission.full;
  }

  private onConnection(socket: Socket, acceptProxy: boolean, counted = true): void {
    if (counted) {
      this.counters.connections++;
      this.counters.connectionRate.hit();
      // An adopted socket keeps the keepAlive it was created with; a reload may have changed it.
      socket.setKeepAlive(this.options.clientKeepAlive);
      socket.on('error', noop); // a reset while parked or reading the header must not crash
    }
    if (this.atLimit || this.parked.length > 0) {
      this.park(socket, acceptProxy);
      return;
    }
    this.admit(socket, acceptProxy);
  }

  private park(socket: Socket, acceptProxy: boolean): void {
    if (this.parked.length >= this.options.backlog) {
      socket.destroy();
      return;
    }
    (socket as ParkedSocket).acceptProxy = acceptProxy;
    this.parked.push(socket);
    socket.once('close', () => {
      const index = this.parked.indexOf(socket);
      if (index >= 0) this.parked.splice(index, 1);
    });
  }

  /** Lets parked connections in while there is room; true when it admitted any. */
  private admitParked(): boolean {
    let admitted = false;
    while (this.parked.length > 0 && !this.atLimit) {
      const socket = this.parked.shift()!;
      if (socket.destroyed) continue;
      this.admit(socket, (socket as ParkedSocket).acceptProxy === true);
      admitted = true;
    }
    return admitted;
  }

  private admit(socket: Socket, acceptProxy: boolean): void {
    this.options.admission.active++;
    if (!acceptProxy) {
      this.startSession(socket, undefined);
      return;
    }
    const peer = socketEndpoints(socket);
    // A slow header holds an admission slot (global maxconn) while it is read.
    readProxyHeader(socket, this.options.proxyHeaderTimeoutMs, (result) => {
      if (result.ok) {
        const a = result.addresses;
        this.startSession(
          socket,
          a === undefined
            ? peer
            : {
                address: a.sourceAddress,
                port: a.sourcePort,
                localAddress: a.destinationAddress,
                localPort: a.destinationPort,
              },
        );
        return;
      }
      this.counters.requestErrors++;
      this.options.onProxyHeaderError(`${peer.address}:${peer.port}`, result.reason);
      socket.destroy();
      this.options.admission.active--;
      this.admitParked();
      this.options.admission.released();
    });
  }

  /** `endpoints` come from a PROXY header; undefined means "the socket's own". */
  private startSession(socket: Socket, endpoints: ClientEndpoints | undefined): void {
    socket.off('error', noop);
    this.counters.open(Date.now());
    new ProxiedSession(socket, endpoints, this.settings).start();
  }
}

interface ParkedSocket extends Socket {
  acceptProxy?: boolean;
}

function noop(): void {}
