import { chmod, chown, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AccessLevel, Config, StatsSocketConfig } from '../config/types.js';
import type { RuntimeModel } from '../model/index.js';
import type { DataPlane } from '../proxy/index.js';
import { renderStatCsv } from './haproxy/csv.js';
import { renderShowInfo } from './haproxy/show-info.js';
import { collectStatRows } from './haproxy/stat-table.js';

/** HAProxy runs a line of up to 16,383 bytes (its 16 KB buffer) and closes on a longer one. */
const MAX_LINE_BYTES = 16_383;

/**
 * The runtime-API sockets of `stats socket` lines. This first slice speaks
 * HAProxy's text dialect for the read commands (`show stat`, `show info`) in
 * one-shot and prompt modes.
 */
export class StatsSockets {
  private readonly servers: Server[] = [];

  constructor(
    private readonly config: Config,
    private readonly model: RuntimeModel,
    private readonly dataPlane: DataPlane,
    private readonly log: Logger,
    private readonly startedAt: number,
  ) {}

  async start(): Promise<void> {
    for (const socketConfig of this.config.global.statsSockets) {
      await removeStaleSocket(socketConfig.path);
      const server = createServer((socket) => this.serve(socket, socketConfig.level));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketConfig.path, () => resolve());
      });
      await applyOwnership(socketConfig);
      this.servers.push(server);
      this.log.info({ path: socketConfig.path, accessLevel: socketConfig.level }, 'stats socket listening');
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private serve(socket: Socket, level: AccessLevel): void {
    let buffered = '';
    let prompt = false;
    socket.setEncoding('latin1');
    socket.setTimeout(this.config.global.statsTimeoutMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      if (newline < 0 && buffered.length > MAX_LINE_BYTES) {
        socket.destroy();
        return;
      }
      let reply = '';
      while (newline >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        if (line.length + 1 > MAX_LINE_BYTES) {
          socket.destroy();
          return;
        }
        if (line === 'quit') {
          socket.end(reply);
          return;
        }
        if (line === 'prompt') {
          prompt = !prompt;
          reply += prompt ? '\n> ' : '\n';
          if (!prompt) {
            socket.end(reply);
            return;
          }
        } else {
          for (const command of line.split(';')) {
            reply += this.run(command.trim(), level) + (prompt ? '\n> ' : '\n');
          }
        }
        newline = buffered.indexOf('\n');
      }
      if (prompt || buffered.length > 0) socket.write(reply);
      else socket.end(reply);
    });
  }

  private run(command: string, level: AccessLevel): string {
    const words = command.split(/\s+/).filter((w) => w !== '');
    if (words[0] === 'show' && words[1] === 'stat') {
      return renderStatCsv(collectStatRows(this.model, this.dataPlane, { showSensitive: level !== 'user' }));
    }
    if (words[0] === 'show' && words[1] === 'info') {
      return renderShowInfo(this.dataPlane, this.startedAt, this.config.global.nbthread);
    }
    return 'Unknown command. Please enter one of the following commands only:\n  show info\n  show stat\n';
  }
}

/** Replaces a socket file only when no live daemon answers on it. */
async function removeStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`stats socket ${path} is in use by a running process`);
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function applyOwnership(socketConfig: StatsSocketConfig): Promise<void> {
  if (socketConfig.mode !== undefined) await chmod(socketConfig.path, socketConfig.mode);
  if (socketConfig.uid !== undefined || socketConfig.gid !== undefined) {
    await chown(socketConfig.path, socketConfig.uid ?? -1, socketConfig.gid ?? -1);
  }
}
