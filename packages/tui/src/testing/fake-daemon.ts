import { EventEmitter } from 'node:events';
import {
  type AccessLevel,
  ApiError,
  COMMANDS,
  type CommandName,
  type LbClient,
  levelAllows,
  type PortsReport,
  type Push,
  type ReloadResult,
  type ServerState,
  type StatRow,
} from '@lbctl/protocol';
import type { CliDeps, OutputStream } from '../cli/deps.js';
import { DaemonUnreachableError } from '../errors.js';

/** A server of the fake daemon: its state and its session count. */
export function fakeServer(backend: string, server: string, more: Partial<ServerState> = {}): ServerState {
  return {
    backend,
    backendId: 1,
    server,
    id: 1,
    address: '127.0.0.1',
    port: 3306,
    admin: 'ready',
    health: 'up',
    status: 'UP',
    weight: 1,
    initialWeight: 1,
    backup: false,
    sessions: 0,
    lastChangeSec: 5,
    check: { configured: true, enabled: true, status: 'L4OK', health: 3, rise: 2, fall: 3 },
    agent: { configured: false, enabled: false },
    ...more,
  };
}

const STATUS_OF = { ready: 'UP', drain: 'DRAIN', maint: 'MAINT' } as const;

/**
 * An in-memory daemon behind a fake {@link LbClient}, for running the CLI
 * in-process: it answers the commands lbctl uses, enforces the level table,
 * records every request, and pushes stats snapshots when a test says so.
 * A test double only; the end-to-end tier runs against a real lbd.
 */
export class FakeDaemon {
  readonly requests: { cmd: string; args: unknown }[] = [];
  readonly clients = new Set<EventEmitter & { closed: boolean }>();
  private subscriptions: { id: number; client: EventEmitter; topics: string[] }[] = [];
  private nextSub = 1;
  /** What `reload` answers; a test sets it to a refusal. */
  /** What `show-ports` answers; undefined: the monitor is not running. */
  portsReport: PortsReport | undefined;
  reloadResult: ReloadResult = {
    applied: true,
    files: ['/etc/lbd/lbd.cfg'],
    summary: 'nothing changed',
    durationMs: 3,
  };

  constructor(
    readonly servers: ServerState[],
    readonly level: AccessLevel = 'admin',
  ) {}

  /** The `show stat` rows the current state implies (FRONTEND/BACKEND rows included). */
  rows(): StatRow[] {
    const rows: StatRow[] = [];
    const backends = [...new Set(this.servers.map((s) => s.backend))];
    rows.push({ pxname: 'fe', svname: 'FRONTEND', status: 'OPEN', scur: 0, smax: 0, slim: 100, stot: 0 });
    for (const b of backends) {
      const mine = this.servers.filter((s) => s.backend === b);
      for (const s of mine) {
        rows.push({
          pxname: b,
          svname: s.server,
          status: s.status,
          scur: s.sessions,
          smax: s.sessions,
          stot: 7,
          qcur: 0,
          qmax: 0,
          rate: 0,
          rate_max: 1,
          weight: s.weight,
          lastchg: s.lastChangeSec,
          check_status: s.check.status,
          check_duration: 2,
          check_desc: 'Layer4 check passed',
        });
      }
      const sessions = mine.reduce((n, s) => n + s.sessions, 0);
      rows.push({
        pxname: b,
        svname: 'BACKEND',
        status: 'UP',
        scur: sessions,
        smax: sessions,
        slim: 10,
        weight: 2,
        lastchg: 9,
      });
    }
    return rows;
  }

  /** Pushes a stats snapshot to every stats subscriber. */
  pushStats(): void {
    for (const sub of this.subscriptions) {
      if (!sub.topics.includes('stats')) continue;
      const push: Push = {
        subscription: sub.id,
        topic: 'stats',
        data: { time: Date.now(), info: {}, rows: this.rows() },
      };
      sub.client.emit('push', push);
    }
  }

  /** Pushes an event to every subscriber of its topic. */
  pushEvent(data: Push['data'] & { topic: string }): void {
    for (const sub of this.subscriptions) {
      if (sub.topics.includes(data.topic))
        sub.client.emit('push', { subscription: sub.id, topic: data.topic, data });
    }
  }

  /** Whether anything still holds a stats subscription. */
  get subscribed(): boolean {
    return this.subscriptions.length > 0;
  }

  private find(args: { backend: string; server: string }): ServerState {
    const s = this.servers.find((x) => x.backend === args.backend && x.server === args.server);
    if (s === undefined) throw new ApiError('LB_ERR_NO_SUCH_SERVER', 'No such server.');
    return s;
  }

  private setAdmin(args: { backend: string; server: string }, admin: ServerState['admin']): ServerState {
    const s = this.find(args);
    s.admin = admin;
    s.status = STATUS_OF[admin];
    return { ...s };
  }

  /** Answers one request as lbd would. */
  handle(client: EventEmitter, cmd: CommandName, args: Record<string, unknown> = {}): unknown {
    this.requests.push({ cmd, args });
    if (!levelAllows(this.level, COMMANDS[cmd].level))
      throw new ApiError('LB_ERR_PERMISSION_DENIED', 'Permission denied');
    const ref = args as { backend: string; server: string };
    switch (cmd) {
      case 'hello':
        return {
          protocol: 1,
          daemon: { name: 'lbd', version: '0.1.0', pid: 1 },
          level: this.level,
          transport: 'unix',
          commands: Object.keys(COMMANDS),
          topics: ['stats', 'server', 'admin', 'check', 'reload', 'ports', 'worker', 'ports-report'],
          capabilities: [],
          limits: {},
        };
      case 'show-servers-state': {
        const backend = args.backend as string | undefined;
        if (backend !== undefined && !this.servers.some((s) => s.backend === backend)) {
          throw new ApiError('LB_ERR_NO_SUCH_BACKEND', "Can't find backend.");
        }
        return {
          servers: this.servers
            .filter((s) => backend === undefined || s.backend === backend)
            .map((s) => ({ ...s })),
        };
      }
      case 'show-stat':
        return { rows: this.rows() };
      case 'show-ports':
        if (this.portsReport === undefined)
          throw new ApiError('LB_ERR_NOT_CONFIGURED', 'the ports monitor is not running.');
        return this.portsReport;
      case 'enable-server':
        return this.setAdmin(ref, 'ready');
      case 'disable-server':
        return this.setAdmin(ref, 'maint');
      case 'set-state':
        return this.setAdmin(ref, args.state as ServerState['admin']);
      case 'enable-health':
      case 'disable-health': {
        const s = this.find(ref);
        if (!s.check.configured)
          throw new ApiError(
            'LB_ERR_NOT_CONFIGURED',
            'Health check was not configured on this server, cannot enable.',
          );
        s.check.enabled = cmd === 'enable-health';
        return { ...s };
      }
      case 'set-weight': {
        const s = this.find(ref);
        const w = args.weight as number | string;
        s.weight = typeof w === 'number' ? w : Math.round((s.initialWeight * Number(w.slice(0, -1))) / 100);
        return { weight: s.weight };
      }
      case 'get-weight': {
        const s = this.find(ref);
        return { weight: s.weight, initialWeight: s.initialWeight };
      }
      case 'shutdown-sessions': {
        const s = this.find(ref);
        const killed = s.sessions;
        s.sessions = 0;
        return { killed };
      }
      case 'subscribe': {
        const id = this.nextSub++;
        this.subscriptions.push({ id, client, topics: args.topics as string[] });
        return { subscription: id, topics: args.topics, intervalMs: (args.intervalMs as number) ?? 1000 };
      }
      case 'reload':
        return this.reloadResult;
      case 'unsubscribe':
        this.subscriptions = this.subscriptions.filter((s) => s.id !== args.subscription);
        return { subscription: args.subscription };
      default:
        throw new ApiError('LB_ERR_UNKNOWN_COMMAND', `fake daemon does not do ${cmd}`);
    }
  }

  /** A connected client, shaped like {@link LbClient} for what lbctl calls. */
  client(): LbClient {
    const emitter = Object.assign(new EventEmitter(), { closed: false });
    this.clients.add(emitter);
    const daemon = this;
    const fake = Object.assign(emitter, {
      request(cmd: CommandName, args?: Record<string, unknown>) {
        return new Promise((resolve, reject) => {
          // Answer asynchronously, as a socket would.
          setImmediate(() => {
            try {
              resolve(daemon.handle(emitter, cmd, args));
            } catch (err) {
              reject(err);
            }
          });
        });
      },
      hello() {
        return fake.request('hello', {});
      },
      async subscribe(topics: string[], onPush: (push: Push) => void, intervalMs?: number) {
        const result = (await fake.request('subscribe', { topics, intervalMs })) as { subscription: number };
        const listener = (push: Push) => {
          if (push.subscription === result.subscription) onPush(push);
        };
        emitter.on('push', listener);
        return {
          subscription: result.subscription,
          unsubscribe: async () => {
            emitter.off('push', listener);
            await fake.request('unsubscribe', { subscription: result.subscription });
          },
        };
      },
      close() {
        emitter.closed = true;
        daemon.subscriptions = daemon.subscriptions.filter((s) => s.client !== emitter);
      },
    });
    return fake as unknown as LbClient;
  }
}

/** A stream that keeps what is written. */
export class Capture implements OutputStream {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Deps for running the program in-process against a {@link FakeDaemon} (or none: unreachable). */
export function fakeDeps(daemon: FakeDaemon | undefined, more: Partial<CliDeps> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  let interrupt: (() => void) | undefined;
  const deps: CliDeps = {
    stdout,
    stderr,
    env: { LBCTL_SOCKET: '/fake/admin.sock' },
    now: Date.now,
    connect: async (target) => {
      if (daemon === undefined) {
        throw new DaemonUnreachableError(
          `cannot reach lbd at ${'path' in target ? target.path : target.url}: no such socket`,
        );
      }
      return daemon.client();
    },
    onInterrupt(handler) {
      interrupt = handler;
      return () => {
        interrupt = undefined;
      };
    },
    ...more,
  };
  return { deps, stdout, stderr, interrupt: () => interrupt?.() };
}
