import { createServer, type Server, type Socket } from 'node:net';
import type { BindConfig } from '../config/types.js';
import type { Admission } from './admission.js';
import { FrontendCounters } from './counters.js';
import { readProxyHeader } from './proxy-header-reader.js';
import { ProxiedSession, socketEndpoints } from './session.js';
import type { ClientEndpoints, SessionSettings } from './session-types.js';

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
}

/**
 * A frontend's listening sockets and its admission control: accept, hold
 * connections beyond `maxconn` (frontend or global) until a slot frees,
 * read a PROXY header where `accept-proxy` asks for one, start sessions.
 */
export class FrontendListener {
  readonly counters = new FrontendCounters();
  private readonly servers: Server[] = [];
  private readonly parked: Socket[] = [];
  private readonly settings: SessionSettings;

  constructor(private readonly options: FrontendListenerOptions) {
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
    options.admission.addWaiter(() => this.admitParked());
  }

  get name(): string {
    return this.options.name;
  }

  /** Addresses actually bound, as `host:port` (port 0 in a bind resolves here). */
  get boundAddresses(): string[] {
    return this.servers.map((server) => {
      const address = server.address();
      return typeof address === 'object' && address !== null
        ? `${address.address}:${address.port}`
        : String(address);
    });
  }

  async start(): Promise<void> {
    for (const bind of this.options.binds) {
      const server = createServer(
        { allowHalfOpen: true, pauseOnConnect: true, noDelay: true, keepAlive: this.options.clientKeepAlive },
        (socket) => this.onConnection(socket, bind.acceptProxy),
      );
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const host = bind.host === '' || bind.host === '*' ? '0.0.0.0' : bind.host;
        server.listen({ host, port: bind.port, backlog: 4096 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
    }
  }

  /** Stops accepting; parked connections are refused, running sessions go on. */
  async stopAccepting(): Promise<void> {
    for (const socket of this.parked.splice(0)) socket.destroy();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }

  private get atLimit(): boolean {
    return this.counters.current >= this.options.maxconn || this.options.admission.full;
  }

  private onConnection(socket: Socket, acceptProxy: boolean): void {
    this.counters.connections++;
    this.counters.connectionRate.hit();
    socket.on('error', noop); // a reset while parked or reading the header must not crash
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
