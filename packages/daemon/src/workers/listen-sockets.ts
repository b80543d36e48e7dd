import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { BindConfig, Config } from '../config/types.js';
import { bindKey } from '../proxy/bound-socket.js';

/** libuv's UV_TCP_REUSEPORT bind flag (uv_tcp_flags): SO_REUSEPORT on the socket. */
const UV_TCP_REUSEPORT = 2;

/** What Node's internal TCP handle offers here: close, and its bound address. */
interface TcpHandle {
  close(): void;
  getsockname(out: { address?: string; port?: number }): number;
}

/** Node's own helper behind `cluster` and `server.listen`: creates and binds a TCP handle, or returns an errno. */
type CreateServerHandle = (
  address: string,
  port: number,
  family: 4 | 6,
  fd: undefined,
  flags: number,
) => TcpHandle | number;

/**
 * The listening sockets of the daemon when workers carry the traffic: for
 * each bind, one SO_REUSEPORT socket per worker slot, so the kernel spreads
 * new connections over the workers. The master binds them and never
 * accepts; each worker accepts on its slot's socket. Because the master
 * holds them, a reload's new workers take the very same sockets and a dead
 * worker's replacement finds the connections that queued meanwhile: no
 * listening socket ever closes while its bind stays configured.
 */
export class ListenSockets {
  private readonly byKey = new Map<string, TcpHandle[]>();

  constructor(private readonly slots: number) {}

  /** Bind keys of `config`'s listeners. */
  static keysOf(config: Config): Map<string, BindConfig> {
    const keys = new Map<string, BindConfig>();
    for (const proxy of config.proxies) {
      if (proxy.disabled || proxy.mode !== 'tcp' || proxy.kind === 'backend') continue;
      for (const bind of proxy.binds) keys.set(bindKey(bind), bind);
    }
    return keys;
  }

  /**
   * Opens the binds of `config` not open yet; returns their keys. Throws
   * with the bind error (having closed what it opened), so a start or a
   * reload that cannot bind changes nothing.
   */
  openMissing(config: Config): string[] {
    const opened: string[] = [];
    try {
      for (const [key, bind] of ListenSockets.keysOf(config)) {
        if (this.byKey.has(key)) continue;
        this.byKey.set(key, this.bindSlots(key, bind));
        opened.push(key);
      }
    } catch (error) {
      for (const key of opened) this.close(key);
      throw error;
    }
    return opened;
  }

  /**
   * The socket of slot `index` for each bind of `config`. Only those: a
   * worker that held the socket of a bind it does not serve would keep it
   * listening after the bind left the configuration, with nobody accepting.
   */
  slotHandles(index: number, config: Config): Map<string, object> {
    const out = new Map<string, object>();
    for (const key of ListenSockets.keysOf(config).keys()) {
      const handles = this.byKey.get(key);
      if (handles !== undefined) out.set(key, handles[index]!);
    }
    return out;
  }

  /** Closes the binds `config` no longer has. */
  closeUnused(config: Config): void {
    const wanted = ListenSockets.keysOf(config);
    for (const key of [...this.byKey.keys()]) if (!wanted.has(key)) this.close(key);
  }

  closeAll(): void {
    for (const key of [...this.byKey.keys()]) this.close(key);
  }

  private close(key: string): void {
    for (const handle of this.byKey.get(key) ?? []) handle.close();
    this.byKey.delete(key);
  }

  /** Every slot binds the same port: port 0 resolves on the first, the rest follow it. */
  private bindSlots(key: string, bind: BindConfig): TcpHandle[] {
    const host = bind.host === '' || bind.host === '*' ? '0.0.0.0' : bind.host;
    const family = net.isIPv6(host) ? 6 : 4;
    const create = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;
    if (bind.port !== 0) {
      // SO_REUSEPORT would silently share a port another process of the same user listens on.
      // libuv reports a bind's EADDRINUSE only at listen(): listen a plain socket, then close it.
      const probe = create(host, bind.port, family, undefined, 0);
      const err =
        typeof probe === 'number' ? probe : (probe as TcpHandle & { listen(n: number): number }).listen(1);
      if (typeof probe !== 'number') probe.close();
      if (err !== 0) {
        const code = getSystemErrorName(err);
        throw Object.assign(new Error(`cannot bind ${key}: ${code}`), { code });
      }
    }
    const handles: TcpHandle[] = [];
    let port = bind.port;
    for (let i = 0; i < this.slots; i++) {
      const handle = create(host, port, family, undefined, UV_TCP_REUSEPORT);
      if (typeof handle === 'number') {
        for (const h of handles) h.close();
        const code = getSystemErrorName(handle);
        throw Object.assign(new Error(`cannot bind ${key}: ${code}`), { code });
      }
      if (port === 0) {
        const out: { port?: number } = {};
        handle.getsockname(out);
        port = out.port ?? 0;
      }
      handles.push(handle);
    }
    return handles;
  }
}
