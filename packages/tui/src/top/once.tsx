import type { ClientTarget, LbClient } from '@lbctl/protocol';
import { renderToString } from 'ink';
import { describeTarget } from '../connection/index.js';
import { Frame } from './Frame.js';
import type { Glyphs } from './format.js';
import type { ViewName } from './keys.js';
import type { ConnectFn } from './live-source.js';
import type { PortsModel, ServerRow } from './model.js';
import { portsUpdateFromReport } from './ports-from-daemon.js';
import { type TopAction, topReducer } from './reducer.js';
import { initialState, type TopState } from './state.js';

/** Options of {@link collectOnce}. */
export interface CollectOnceOptions {
  targets: readonly ClientTarget[];
  connect: ConnectFn;
  /** Deadline of each connection (connect and hello), ms. */
  connectTimeoutMs: number;
  view: ViewName;
  /** Width of the frame, in columns. */
  columns: number;
  now: () => number;
  /**
   * Interval between the two snapshots a frame is made of, ms: the first
   * gives the state, the second the per-second figures. @default 500
   */
  sampleMs?: number;
}

/** Takes the stats snapshots `count` snapshots in, or what came by the deadline. */
async function sample(client: LbClient, node: number, apply: (a: TopAction) => void, sampleMs: number) {
  const { servers } = await client.request('show-servers-state', {});
  apply({ type: 'servers-state', node, servers });
  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    // Two snapshots, or one if the second is late: a frame is better than none.
    const timer = setTimeout(resolve, sampleMs * 3 + 1000);
    client
      .subscribe(
        ['stats'],
        (push) => {
          if (push.topic !== 'stats') return;
          apply({ type: 'stats', node, snapshot: push.data });
          if (++seen >= 2) {
            clearTimeout(timer);
            resolve();
          }
        },
        sampleMs,
      )
      .catch((error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
  });
}

/** The ports report, as the live dashboard gets it; a daemon without a ports monitor has none. */
async function samplePorts(client: LbClient, node: number, apply: (a: TopAction) => void) {
  const report = await client.request('show-ports').catch(() => undefined);
  if (report !== undefined) apply({ type: 'ports', node, report: portsUpdateFromReport(report) });
}

/**
 * The dashboard's state from one look at every daemon, for `--once` and
 * `--json`: hello, configured weights, two stats snapshots and the ports report each. A
 * daemon that cannot be reached is in the state as disconnected, with why.
 */
export async function collectOnce(options: CollectOnceOptions): Promise<TopState> {
  const sampleMs = options.sampleMs ?? 500;
  let state = initialState({
    targets: options.targets.map(describeTarget),
    view: options.view,
    intervalMs: sampleMs,
    size: { columns: options.columns, rows: 10_000 },
    now: options.now(),
  });
  const apply = (action: TopAction) => {
    state = topReducer(state, action);
  };
  await Promise.all(
    options.targets.map(async (target, node) => {
      let client: LbClient | undefined;
      try {
        client = await options.connect(target, { timeoutMs: options.connectTimeoutMs });
        apply({ type: 'connected', node, hello: await client.hello('lbctl top'), time: options.now() });
        await sample(client, node, apply, sampleMs);
        await samplePorts(client, node, apply);
      } catch (error) {
        apply({
          type: 'disconnected',
          node,
          error: error instanceof Error ? error.message : String(error),
          retryAt: undefined,
          time: options.now(),
        });
      } finally {
        client?.close();
      }
    }),
  );
  apply({ type: 'tick', time: options.now() });
  return state;
}

/** One frame of the current view as text: every row, no keys. */
export function renderOnce(state: TopState, glyphs: Glyphs): string {
  return `${renderToString(<Frame state={state} glyphs={glyphs} mode="once" />, { columns: state.size.columns })}\n`;
}

/** A server in `--json` output: the view row without the dashboard's internals. */
export type OnceServer = Omit<ServerRow, 'key' | 'node' | 'kind'> & {
  node: string;
  state: ServerRow['kind'];
};

/** `lbctl top --once --json`: what the frame shows, as data. */
export interface OnceReport {
  time: number;
  nodes: Array<{
    target: string;
    name: string;
    connected: boolean;
    error?: string;
    version?: string;
    pid?: number;
    uptimeSec?: number;
    currentConns?: number;
    maxConns?: number;
    connRate?: number;
    ports: (Omit<PortsModel, 'pairs'> & { pairs: unknown[] }) | null;
  }>;
  servers: OnceServer[];
}

/** The `--json` report of a collected state. */
export function onceReport(state: TopState): OnceReport {
  return {
    time: state.now,
    nodes: state.nodes.map((n) => ({
      target: n.target,
      name: n.name,
      connected: n.link === 'connected',
      ...(n.linkError === undefined ? {} : { error: n.linkError }),
      ...(n.version === undefined ? {} : { version: n.version }),
      ...(n.pid === undefined ? {} : { pid: n.pid }),
      ...(n.uptimeSec === undefined ? {} : { uptimeSec: n.uptimeSec }),
      ...(n.currentConns === undefined ? {} : { currentConns: n.currentConns }),
      ...(n.maxConns === undefined ? {} : { maxConns: n.maxConns }),
      ...(n.connRate === undefined ? {} : { connRate: n.connRate }),
      ports:
        n.ports === undefined
          ? null
          : { ...n.ports, pairs: n.ports.pairs.map(({ key: _k, trend: _t, node: _n, ...p }) => p) },
    })),
    servers: state.nodes.flatMap((n) =>
      n.servers.map(({ key: _k, node: _n, kind, ...row }) => ({ node: n.name, state: kind, ...row })),
    ),
  };
}
