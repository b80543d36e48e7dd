import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApiError } from '@lbctl/protocol';
import type { Logger } from 'pino';
import type { RuntimeModel } from './runtime-model.js';
import type { AdminState, ServerModel } from './server-model.js';

/** Format version of the file; a file of another version is ignored with a warning. */
const FILE_VERSION = 1;

/** What the operator changed on one server, as saved. */
export interface SavedServerState {
  backend: string;
  server: string;
  admin: AdminState;
  weight: number;
  /** The configured weight when this was saved: a changed configuration wins over the saved weight. */
  initialWeight: number;
  /** Health checks running (`enable/disable health`). */
  checks: boolean;
  /** Agent checks running (`enable/disable agent`). */
  agent: boolean;
}

interface FileContent {
  version: number;
  savedAt: string;
  servers: SavedServerState[];
}

/** What {@link AdminStateFile.restore} did. */
export interface RestoreReport {
  restored: number;
  /** `backend/server` entries dropped because the configuration no longer has them. */
  dropped: string[];
}

function configuredAdmin(server: ServerModel): AdminState {
  return server.config.disabled ? 'maint' : 'ready';
}

/** The operator's changes on a server, or undefined when it is as configured. */
function capture(server: ServerModel): SavedServerState | undefined {
  const checks = server.check.enabled;
  const agent = server.check.agentEnabled;
  const changed =
    server.admin !== configuredAdmin(server) ||
    server.weight !== server.initialWeight ||
    checks !== server.config.check ||
    agent !== (server.config.agent !== undefined);
  if (!changed) return undefined;
  return {
    backend: server.backendName,
    server: server.name,
    admin: server.admin,
    weight: server.weight,
    initialWeight: server.initialWeight,
    checks,
    agent,
  };
}

/**
 * Persistence of operator changes (maint, drain, weight, health and agent
 * checks on/off) so that they survive a restart, a reload or a crash. Each
 * save writes the whole state to a temporary file, fsyncs it, renames it over
 * the old one and fsyncs the directory: a crash leaves either the old or the
 * new file, never a torn one. Saves are serialized; a save asked for while
 * another waits to start is merged into it.
 */
export class AdminStateFile {
  private tail: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {}

  /**
   * Applies the saved changes to the model (before traffic starts). Servers
   * that left the configuration are dropped with a notice and the file is
   * rewritten without them. A missing file is not an error; an unreadable
   * one is logged and ignored, so a bad file never keeps lbd from starting.
   */
  async restore(model: RuntimeModel): Promise<RestoreReport> {
    const report: RestoreReport = { restored: 0, dropped: [] };
    const content = await this.read();
    if (content === undefined) return report;
    for (const saved of content.servers) {
      const server = model.findServer(saved.backend, saved.server);
      if (server === undefined) {
        report.dropped.push(`${saved.backend}/${saved.server}`);
        continue;
      }
      this.apply(server, saved);
      report.restored++;
    }
    for (const name of report.dropped) {
      this.log.warn(
        { server: name, file: this.path },
        'admin-state file: server no longer in the configuration, dropped',
      );
    }
    this.log.info({ file: this.path, restored: report.restored }, 'admin state restored');
    if (report.dropped.length > 0) await this.save(model);
    return report;
  }

  /** Saves the current state; resolves once it is durable on disk. */
  save(model: RuntimeModel): Promise<void> {
    if (this.waiting !== undefined) return this.waiting;
    const run = this.tail.then(() => {
      this.waiting = undefined;
      return this.write(model);
    });
    this.waiting = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  private apply(server: ServerModel, saved: SavedServerState): void {
    const reason = 'restored from the admin-state file';
    if (saved.admin === 'ready' || saved.admin === 'drain' || saved.admin === 'maint') {
      server.setAdmin(saved.admin, reason);
    }
    if (saved.initialWeight !== server.initialWeight) {
      this.log.warn(
        {
          backend: saved.backend,
          server: saved.server,
          saved: saved.weight,
          configured: server.initialWeight,
        },
        'admin-state file: the configured weight changed since the save; the configuration wins',
      );
    } else if (Number.isInteger(saved.weight) && saved.weight >= 0 && saved.weight <= 256) {
      server.setWeight(saved.weight, reason);
    }
    if (server.config.check) server.check.enabled = saved.checks === true;
    if (server.config.agent !== undefined) server.check.agentEnabled = saved.agent === true;
  }

  private async read(): Promise<FileContent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.log.error(
        { err: error, file: this.path, code: 'LB_ERR_STATE_FILE' },
        'admin-state file unreadable, ignored',
      );
      return undefined;
    }
    try {
      const content = JSON.parse(text) as FileContent;
      if (content.version !== FILE_VERSION || !Array.isArray(content.servers))
        throw new Error('unknown format');
      return content;
    } catch (error) {
      this.log.error(
        { err: error, file: this.path, code: 'LB_ERR_STATE_FILE' },
        'admin-state file is not valid, ignored',
      );
      return undefined;
    }
  }

  private async write(model: RuntimeModel): Promise<void> {
    // Capture synchronously: the file holds the state as of this moment, whatever changes during the I/O.
    const servers: SavedServerState[] = [];
    for (const backend of model.backends.values()) {
      for (const server of backend.servers) {
        const saved = capture(server);
        if (saved !== undefined) servers.push(saved);
      }
    }
    const content: FileContent = { version: FILE_VERSION, savedAt: new Date().toISOString(), servers };
    const temp = `${this.path}.tmp-${process.pid}`;
    try {
      const file = await open(temp, 'w', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(content, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
      const dir = await open(dirname(this.path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new ApiError(
        'LB_ERR_STATE_FILE',
        `cannot save the admin state to ${this.path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}
