import { createLogger } from '../lifecycle/logger.js';
import { RuntimeModel } from '../model/index.js';
import { coolingPolicyFor, readKernelPortSettingsSync } from '../ports/index.js';
import { DataPlane } from '../proxy/index.js';
import type { MasterMessage, WorkerMessage } from './messages.js';
import { applyState } from './server-state.js';
import { WORKER_TICK_MS, WorkerAgent } from './worker-agent.js';

/**
 * Entry point of a data-plane worker, forked by the master's WorkerPool
 * with an IPC channel. The master sends the sockets of the binds, then
 * `init`; the worker builds its model and data plane from the same checked
 * configuration, accepts on the master's sockets and reports `ready`.
 */
const handles = new Map<string, object>();
let agent: WorkerAgent | undefined;

function send(message: WorkerMessage, then?: () => void): void {
  if (process.connected) process.send!(message, undefined, {}, () => then?.());
  else then?.();
}

process.on('message', (message: MasterMessage, handle?: object) => {
  if (message.type === 'socket') {
    if (handle !== undefined) handles.set(message.key, handle);
    return;
  }
  if (message.type === 'init') {
    void start(message).catch((error: unknown) => {
      process.stderr.write(`lbd worker: failed to start: ${String(error)}\n`);
      process.exit(1);
    });
    return;
  }
  agent?.handle(message);
});

// Without its master nobody decides for it: stop taking connections and finish those running.
process.on('disconnect', () => agent?.stop(30_000));
// Signals are the master's to handle (it tells workers when to stop): a Ctrl-C or a
// signal sent to the whole process group must not end a worker's sessions on its own.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1'] as const) process.on(signal, () => undefined);

async function start(init: Extract<MasterMessage, { type: 'init' }>): Promise<void> {
  const log = createLogger(init.logLevel).child({ worker: init.share.index });
  const model = new RuntimeModel(init.config);
  for (const state of init.servers) applyState(model, state);
  const dataPlane = new DataPlane(model, log, {
    cooling: coolingPolicyFor(readKernelPortSettingsSync()),
    role: { kind: 'worker', share: init.share, handles },
  });
  const exit = () => {
    clearInterval(timer);
    process.exit(0);
  };
  agent = new WorkerAgent(model, dataPlane, send, exit, (init.share.index + 1) * 0x1000000);
  agent.lease(init.slots);
  const timer = setInterval(() => agent!.tick(), WORKER_TICK_MS);
  await dataPlane.start();
  // A socket no listener took must not stay open here: it would keep
  // listening, with nobody accepting, after its bind left the configuration.
  const used = new Set(dataPlane.listeners.flatMap((listener) => listener.bindKeys));
  for (const [key, handle] of handles) if (!used.has(key)) (handle as { close(): void }).close();
  send({ type: 'ready' });
}
