import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdtemp, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { ApiError } from '@lbctl/protocol';
import type { StatsSocketConfig } from '../config/types.js';

/** UNIX socket paths longer than this do not fit in `sockaddr_un` on Linux. */
const MAX_SOCKET_PATH = 107;

/** A stats socket, listening, with the identity of its file (to remove only our own on stop). */
export interface ListeningSocket {
  readonly server: Server;
  readonly path: string;
  readonly inode: number;
}

/** True when a process accepts connections on `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Removes a stale socket file: one no process answers on. A live socket, or
 * a path that is not a socket, is never touched (`LB_ERR_SOCKET_IN_USE`).
 */
export async function removeStaleSocket(path: string): Promise<void> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return;
  if (!info.isSocket()) {
    throw new ApiError(
      'LB_ERR_SOCKET_IN_USE',
      `stats socket ${path} exists and is not a socket; lbd will not replace it`,
    );
  }
  if (await answers(path)) {
    throw new ApiError('LB_ERR_SOCKET_IN_USE', `stats socket ${path} is in use by a running process`);
  }
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Looks a user or group name up in /etc/passwd or /etc/group (Node has no getpwnam). */
function idOf(file: '/etc/passwd' | '/etc/group', name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  const id = line?.split(':')[2];
  if (id === undefined)
    throw new ApiError('LB_ERR_LISTEN', `no ${file === '/etc/passwd' ? 'user' : 'group'} '${name}'`);
  return Number(id);
}

/** The owner the configuration asks for: `uid`/`gid` win over `user`/`group`. */
function ownerOf(config: StatsSocketConfig): { uid: number; gid: number } | undefined {
  const uid = config.uid ?? (config.user === undefined ? -1 : idOf('/etc/passwd', config.user));
  const gid = config.gid ?? (config.group === undefined ? -1 : idOf('/etc/group', config.group));
  return uid === -1 && gid === -1 ? undefined : { uid, gid };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Opens a stats socket whose mode and owner are set before anyone can
 * connect: it listens first under a private directory (mode 0700), gets
 * its mode and owner there, and only then is renamed to its path.
 */
export async function openStatsSocket(
  config: StatsSocketConfig,
  onConnection: (socket: Socket) => void,
): Promise<ListeningSocket> {
  await removeStaleSocket(config.path);
  // allowHalfOpen: a client that half-closes after its command still gets the reply.
  const server = createServer({ allowHalfOpen: true }, onConnection);
  const owner = ownerOf(config);
  const privateDir = await mkdtemp(join(dirname(config.path), '.lbd-'));
  const staging = join(privateDir, 's');
  try {
    if (staging.length > MAX_SOCKET_PATH) {
      throw new ApiError('LB_ERR_LISTEN', `stats socket path ${config.path} is too long`);
    }
    await listen(server, staging);
    if (config.mode !== undefined) await chmod(staging, config.mode);
    if (owner !== undefined) await chown(staging, owner.uid, owner.gid);
    await rename(staging, config.path);
  } catch (error) {
    server.close();
    throw error instanceof ApiError
      ? error
      : new ApiError(
          'LB_ERR_LISTEN',
          `cannot open stats socket ${config.path}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
  } finally {
    await rmdir(privateDir).catch(() => undefined);
  }
  const { ino } = await stat(config.path);
  return { server, path: config.path, inode: ino };
}

/** Stops listening and removes the socket file if it is still ours (a newer lbd may have replaced it). */
export async function closeStatsSocket(socket: ListeningSocket): Promise<void> {
  await new Promise<void>((resolve) => socket.server.close(() => resolve()));
  const current = await stat(socket.path).catch(() => undefined);
  if (current?.ino === socket.inode) await unlink(socket.path).catch(() => undefined);
}
