import type { Logger } from 'pino';
import type { RuntimeApi } from '../api/index.js';
import type { Config } from '../config/types.js';
import type { HealthChecker } from '../health/index.js';
import type { AdminStateFile } from '../model/admin-state-file.js';
import { sameConfig } from '../model/config-equal.js';
import type { RuntimeModel } from '../model/index.js';
import type { DataPlane } from '../proxy/index.js';
import type { WorkerPool } from '../workers/worker-pool.js';

/** The parts of a running daemon a reload changes. */
export interface ReloadableParts {
  readonly model: RuntimeModel;
  readonly dataPlane: DataPlane;
  readonly health: HealthChecker;
  readonly api: RuntimeApi;
  readonly stateFile: AdminStateFile | undefined;
  readonly log: Logger;
  /** Present when workers carry the traffic (`nbthread` > 1); `dataPlane` is then the master's mirror. */
  readonly workers?: WorkerPool | undefined;
}

/**
 * Applies a checked configuration to the running daemon, in the one order
 * that cannot lose a connection or leave a half-applied state:
 *
 * 1. open the new binds (nothing has changed yet; a bind that fails
 *    refuses the reload and the old configuration runs on untouched);
 * 2. switch the model (servers whose settings did not change are kept
 *    as they are: admin state, health, weight, check history);
 * 3. switch the data plane: new pools and listeners that take over the
 *    open sockets synchronously; removed binds close; sessions already
 *    running finish on the pool and settings they started with;
 * 4. rebuild the health checks, and re-apply the admin-state file so a
 *    server that comes back to the file gets its saved state;
 * 5. with workers, start a new generation on the same sockets with the
 *    new configuration and the model's decisions, then let the old one
 *    finish its sessions.
 *
 * Resolves with a one-line summary of what changed.
 */
export async function applyConfig(parts: ReloadableParts, config: Config): Promise<string> {
  const { model, dataPlane, health, api, stateFile, log, workers } = parts;
  const before = model.config;
  const frontendsBefore = new Set(model.frontends.map((f) => f.name));
  const opened = await dataPlane.openNewBinds(config);
  const newBinds = workers === undefined ? [...opened.keys()] : workers.openNewBinds(config);
  const changes = model.reconfigure(config);
  dataPlane.reconfigure(opened);
  health.reconfigure();
  api.useConfig(config);
  if (stateFile !== undefined) await stateFile.restore(model);
  await workers?.rollOver();
  const frontendsAfter = new Set(model.frontends.map((f) => f.name));
  const addedFrontends = [...frontendsAfter].filter((name) => !frontendsBefore.has(name));
  const removedFrontends = [...frontendsBefore].filter((name) => !frontendsAfter.has(name));
  if (!sameConfig({ ...before.global, maxconn: 0 }, { ...config.global, maxconn: 0 })) {
    // Sockets, pidfile, hard-stop-after, logging: opened or read once, at start.
    log.warn('global settings other than maxconn changed: they take effect at the next restart');
  }
  log.info({ ...changes, addedFrontends, removedFrontends, newBinds }, 'configuration applied');
  return (
    `${frontendsAfter.size} frontends (+${addedFrontends.length} -${removedFrontends.length}), ` +
    `${model.backends.size} backends; servers: ${changes.keptServers} kept, ` +
    `${changes.addedServers.length} added, ${changes.removedServers.length} removed, ` +
    `${changes.changedServers.length} changed; ${newBinds.length} new binds`
  );
}
