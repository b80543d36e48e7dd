/**
 * Test data for the dashboard: stats rows as lbd sends them, snapshots,
 * hello answers, and a fake source that records what the dashboard asks.
 */
import { EventEmitter } from 'node:events';
import {
  ApiError,
  type HelloResult,
  type PortsPairReport,
  type PortsReport,
  type Push,
  type ServerState,
  type StatRow,
  type StatsSnapshot,
  type Topic,
} from '@lbctl/protocol';
import type { TopAction } from '../top/reducer.js';
import type { ActionRequest } from '../top/server-actions.js';
import type { TopSource } from '../top/source.js';

/** A server's `show stat` row as lbd fills it (type 2), with overrides. */
export function statRow(backend: string, server: string, more: StatRow = {}): StatRow {
  return {
    pxname: backend,
    svname: server,
    type: 2,
    iid: 2,
    sid: 1,
    status: 'UP',
    weight: 1,
    scur: 0,
    smax: 0,
    stot: 0,
    bin: 0,
    bout: 0,
    qcur: 0,
    rate: 0,
    econ: 0,
    wretr: 0,
    wredis: 0,
    lastchg: 10,
    check_status: 'L4OK',
    check_duration: 1,
    last_chk: '',
    bck: 0,
    addr: '127.0.0.1:3306',
    ...more,
  };
}

/** A stats snapshot at `time` with `show info` figures for the header. */
export function snapshot(
  time: number,
  rows: StatRow[],
  info: Record<string, string | number> = {},
): StatsSnapshot {
  return {
    time,
    info: {
      node: 'lb-a',
      Version: '0.1.0',
      Pid: 4242,
      Uptime_sec: 3723,
      CurrConns: 12,
      Maxconn: 2000,
      ConnRate: 5,
      ...info,
    },
    rows: [{ pxname: 'fe', svname: 'FRONTEND', type: 0, status: 'OPEN' }, ...rows],
  };
}

/** `n` servers in backends of `perBackend`, sessions and rates varied, some down, drained or in maintenance. */
export function manyRows(n: number, perBackend = 50): StatRow[] {
  return Array.from({ length: n }, (_, i) => {
    const backend = `pool${Math.floor(i / perBackend)}`;
    const status =
      i % 37 === 0
        ? 'DOWN'
        : i % 41 === 0
          ? 'DRAIN'
          : i % 43 === 0
            ? 'MAINT'
            : i % 47 === 0
              ? 'UP 1/3'
              : 'UP';
    return statRow(backend, `srv${i}`, {
      iid: 2 + Math.floor(i / perBackend),
      sid: (i % perBackend) + 1,
      status,
      scur: i % 20,
      smax: 25,
      slim: 40,
      rate: i % 9,
      bin: i * 1000,
      bout: i * 5000,
      addr: `10.0.${Math.floor(i / 250)}.${i % 250}:3306`,
    });
  });
}

/** A `hello` answer. */
export function helloResult(pid = 4242, level: HelloResult['level'] = 'admin'): HelloResult {
  return {
    protocol: 1,
    daemon: { name: 'lbd', version: '0.1.0', pid },
    level,
    transport: 'unix',
    commands: [],
    topics: ['stats', 'server', 'admin', 'check', 'reload', 'ports', 'worker', 'ports-report'],
    capabilities: ['subscribe'],
    limits: {
      maxLineBytes: 65536,
      maxClients: 1024,
      maxSubscriptions: 8,
      maxBufferedBytes: 1048576,
      idleTimeoutMs: 10000,
    },
  };
}

/** One pair of a daemon's ports report: `source` toward mysql/db1 at 127.0.0.1:3306, with overrides. */
export function portsPair(source: string, more: Partial<PortsPairReport> = {}): PortsPairReport {
  return {
    source,
    destination: '127.0.0.1:3306',
    servers: ['mysql/db1'],
    mode: 'kernel-bind',
    range: { low: 32768, high: 60999 },
    usable: 28232,
    inUse: 0,
    headroom: 28232,
    headroomPct: 100,
    states: {},
    managed: null,
    connectRate: 0,
    refusals: 0,
    steadyStateInUse: 0,
    exhaustionSeconds: null,
    level: 'ok',
    advice: [],
    ...more,
  };
}

/**
 * A ports report as lbd publishes it (`show-ports`, topic `ports-report`):
 * mysql/db1 from two source addresses, one of them short of ports and
 * running out in 90 s; tcp_tw_reuse off, which the ports view warns about.
 */
export function portsReport(time = 10_000): PortsReport {
  return {
    time,
    intervalMs: 5000,
    scan: { reader: 'sock_diag', sockets: 27_000, durationMs: 20, cpuMs: 15, cpuPct: 0.3 },
    kernel: {
      ipLocalPortRange: { low: 32768, high: 60999 },
      ipLocalReservedPorts: [],
      usableEphemeralPorts: 28232,
      tcpTwReuse: 0,
      tcpTwReuseDelayMs: 1000,
      tcpFinTimeoutS: 60,
      tcpMaxTwBuckets: 262144,
      tcpTimestamps: 1,
      timeWait: 26_700,
    },
    fds: { inUse: 140, limit: 20000, maxsock: 8300, maxconn: 4096, headroomPct: 99.3 },
    level: 'critical',
    pairs: [
      portsPair('127.0.0.2', {
        inUse: 120,
        headroom: 28112,
        headroomPct: 99.6,
        states: { ESTABLISHED: 100, TIME_WAIT: 20 },
        connectRate: 1,
      }),
      portsPair('127.0.0.3', {
        inUse: 26_900,
        headroom: 1332,
        headroomPct: 4.7,
        states: { ESTABLISHED: 200, TIME_WAIT: 26_680, SYN_SENT: 15, FIN_WAIT2: 5 },
        connectRate: 450,
        steadyStateInUse: 27_200,
        exhaustionSeconds: 90,
        level: 'critical',
        advice: ['add source addresses'],
      }),
    ],
    sources: [],
    servers: [],
  };
}

/** A `show-servers-state` entry with its configured weight. */
export function serverState(backend: string, server: string, initialWeight = 1): ServerState {
  return {
    backend,
    backendId: 2,
    server,
    id: 1,
    address: '127.0.0.1',
    port: 3306,
    admin: 'ready',
    health: 'up',
    status: 'UP',
    weight: initialWeight,
    initialWeight,
    backup: false,
    sessions: 0,
    lastChangeSec: 1,
    check: { configured: true, enabled: true, status: 'L4OK', health: 3, rise: 2, fall: 3 },
    agent: { configured: false, enabled: false },
  };
}

/** A source the test drives: it dispatches what the test emits and records the requests. */
export class FakeSource implements TopSource {
  readonly requests: { node: number; request: ActionRequest }[] = [];
  started = 0;
  stopped = 0;
  /** What `run` answers; a function of the request. */
  answer: (request: ActionRequest) => Promise<unknown> = async () => ({ status: 'DRAIN' });
  private dispatch: ((action: TopAction) => void) | undefined;

  start(dispatch: (action: TopAction) => void): () => void {
    this.started++;
    this.dispatch = dispatch;
    return () => {
      this.stopped++;
    };
  }

  run(node: number, request: ActionRequest): Promise<unknown> {
    this.requests.push({ node, request });
    return this.answer(request);
  }

  /** Dispatches actions as the daemon's messages would. */
  emit(...actions: TopAction[]): void {
    if (this.dispatch === undefined) throw new Error('the source was not started');
    for (const action of actions) this.dispatch(action);
  }
}

/**
 * A daemon connection as the dashboard uses it (hello, requests, one
 * subscription, close), pushing what the test says; with `autoStats` it
 * pushes that many snapshots of `rows` right after `subscribe`, as lbd does
 * with its first one, and with `ports` the ports report after them (it also
 * answers `show-ports` with it).
 */
export class FakeClient extends EventEmitter {
  readonly requests: { cmd: string; args: unknown }[] = [];
  subscribed: { topics: Topic[]; intervalMs: number | undefined } | undefined;
  closed = false;
  private onPush: ((push: Push) => void) | undefined;

  constructor(
    readonly pid: number,
    readonly options: { autoStats?: number; rows?: StatRow[]; node?: string; ports?: PortsReport } = {},
  ) {
    super();
  }
  async hello() {
    return helloResult(this.pid);
  }
  async request(cmd: string, args: unknown) {
    this.requests.push({ cmd, args });
    if (cmd === 'show-servers-state') return { servers: [serverState('mysql', 'db1', 3)] };
    if (cmd === 'show-ports') {
      // As lbd answers where no ports monitor runs.
      if (this.options.ports === undefined)
        throw new ApiError('LB_ERR_NOT_CONFIGURED', 'the ports monitor is not running.');
      return this.options.ports;
    }
    return { status: 'DRAIN' };
  }
  async subscribe(topics: Topic[], onPush: (push: Push) => void, intervalMs?: number) {
    this.subscribed = { topics, intervalMs };
    this.onPush = onPush;
    const count = this.options.autoStats ?? 0;
    for (let i = 0; i < count; i++) {
      setTimeout(() => {
        const info = { node: this.options.node ?? 'lb-a', Pid: this.pid };
        this.push({
          subscription: 1,
          topic: 'stats',
          data: snapshot(1000 * (i + 1), this.options.rows ?? [], info),
        });
      }, i * 5);
    }
    const ports = this.options.ports;
    if (ports !== undefined && topics.includes('ports-report')) {
      setTimeout(
        () =>
          this.push({ subscription: 1, topic: 'ports-report', data: { topic: 'ports-report', ...ports } }),
        count * 5,
      );
    }
    return { subscription: 1, unsubscribe: async () => {} };
  }
  push(push: Push) {
    this.onPush?.(push);
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}
