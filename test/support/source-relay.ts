import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { makeTempDirSync } from './tmp.js';

/** Where a relay forwards to, and how it presents itself there. */
export interface RelayOptions {
  /** Target host. @default '127.0.0.1' */
  readonly host?: string;
  readonly port: number;
  /** Source address of the forwarded TCP connection, e.g. '127.0.0.7'. */
  readonly sourceAddress?: string;
  /** Bytes sent to the target before anything else, e.g. a PROXY protocol header. */
  readonly proxyHeader?: string | Buffer;
}

/** A running relay: a UNIX socket whose connections are forwarded over TCP. */
export interface Relay {
  readonly socketPath: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stops listening and destroys every forwarded connection. */
  close(): Promise<void>;
}

let relayDir: string | undefined;
let counter = 0;

/**
 * Opens a relay from a UNIX socket to a TCP target. It exists because the
 * `mariadb` command-line client of MariaDB 10.11 has no `--bind-address`
 * option: to make a real client connect from 127.0.0.7, the client talks to
 * this socket (`--protocol=socket`) and the relay opens the TCP connection
 * from that address. It forwards bytes and half-closes both ways, nothing
 * else, so the proxy under test sees an ordinary client from that address.
 */
export async function openRelay(options: RelayOptions): Promise<Relay> {
  relayDir ??= makeTempDirSync('relay');
  counter += 1;
  const socketPath = join(relayDir, `r${counter}.sock`);
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (downstream) => {
    accepted += 1;
    const upstream = connect({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      allowHalfOpen: true,
      // A relay must not add Nagle delays to the protocol's small round trips.
      noDelay: true,
      ...(options.sourceAddress === undefined ? {} : { localAddress: options.sourceAddress }),
    });
    open.add(downstream);
    open.add(upstream);
    if (options.proxyHeader !== undefined) upstream.write(options.proxyHeader);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    // A reset on one side is a reset on the other: the client must notice it.
    upstream.on('error', () => downstream.destroy());
    downstream.on('error', () => upstream.destroy());
    upstream.on('close', () => {
      open.delete(upstream);
      if (!downstream.writableEnded) downstream.end();
    });
    downstream.on('close', () => {
      open.delete(downstream);
      if (!upstream.writableEnded) upstream.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    socketPath,
    get accepted() {
      return accepted;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    },
  };
}
