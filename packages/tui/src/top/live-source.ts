import type { ClientTarget, LbClient, Push, Topic } from '@lbctl/protocol';
import { ApiError, TOPICS } from '@lbctl/protocol';
import { portsUpdateFromReport } from './ports-from-daemon.js';
import type { TopAction } from './reducer.js';
import type { ActionRequest } from './server-actions.js';
import type { TopSource } from './source.js';

/** Opens a client that has answered `hello` (the connection module's `openClient`). */
export type ConnectFn = (target: ClientTarget, opts: { timeoutMs?: number }) => Promise<LbClient>;

/** Options of {@link createLiveSource}. */
export interface LiveSourceOptions {
  targets: readonly ClientTarget[];
  connect: ConnectFn;
  /** Stats interval, ms. @default 1000 */
  intervalMs?: number;
  /** Deadline of one connection attempt (connect and hello), ms. @default 2000 */
  connectTimeoutMs?: number;
  /** First delay before reconnecting, ms; doubles up to `maxRetryMs`. @default 250 */
  minRetryMs?: number;
  /** Longest delay between reconnection attempts, ms. @default 3000 */
  maxRetryMs?: number;
  /** Epoch ms. @default Date.now */
  now?: () => number;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * The live source: one JSON-protocol connection per daemon, each with one
 * subscription to every topic the daemon offers (stats snapshots, events,
 * and the ports monitor's reports for the ports view). When a connection closes
 * (the daemon stopped, restarted or reloaded) it reconnects by itself with
 * a backoff capped at `maxRetryMs`, so a restarted daemon is back on screen
 * within a few seconds; the reducer shows a banner meanwhile.
 */
export function createLiveSource(options: LiveSourceOptions): TopSource {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const minRetry = options.minRetryMs ?? 250;
  const maxRetry = options.maxRetryMs ?? 3000;
  const clients: (LbClient | undefined)[] = options.targets.map(() => undefined);
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();

  function watch(node: number, dispatch: (action: TopAction) => void): void {
    const target = options.targets[node]!;
    let delay = minRetry;

    const retry = (error: unknown) => {
      clients[node] = undefined;
      if (stopped) return;
      const wait = delay;
      delay = Math.min(maxRetry, delay * 2);
      dispatch({ type: 'disconnected', node, error: messageOf(error), retryAt: now() + wait, time: now() });
      const timer = setTimeout(() => {
        timers.delete(timer);
        void attempt();
      }, wait);
      timers.add(timer);
    };

    const onPush = (push: Push) => {
      if (push.topic === 'stats') dispatch({ type: 'stats', node, snapshot: push.data });
      else if (push.topic === 'ports-report')
        dispatch({ type: 'ports', node, report: portsUpdateFromReport(push.data) });
      else dispatch({ type: 'event', node, event: push.data });
    };

    const refreshWeights = async (client: LbClient) => {
      const { servers } = await client.request('show-servers-state', {});
      dispatch({ type: 'servers-state', node, servers });
    };

    async function attempt(): Promise<void> {
      if (stopped) return;
      dispatch({ type: 'connecting', node, time: now() });
      let client: LbClient;
      try {
        client = await options.connect(target, { timeoutMs: options.connectTimeoutMs ?? 2000 });
      } catch (error) {
        retry(error);
        return;
      }
      if (stopped) {
        client.close();
        return;
      }
      let closed = false;
      client.once('close', () => {
        closed = true;
        retry(new ApiError('LB_ERR_INTERNAL', 'the daemon closed the connection'));
      });
      try {
        // openClient has said hello already; this one returns what the header shows.
        const hello = await client.hello('lbctl top');
        dispatch({ type: 'connected', node, hello, time: now() });
        clients[node] = client;
        await refreshWeights(client);
        const topics = TOPICS.filter((t: Topic) => hello.topics.includes(t));
        await client.subscribe(
          topics,
          (push) => {
            onPush(push);
            // A reload may change configured weights: read them again once it is done.
            if (push.topic === 'reload' && (push.data as { phase?: string }).phase === 'done') {
              void refreshWeights(client).catch(() => undefined);
            }
          },
          intervalMs,
        );
        delay = minRetry;
      } catch {
        // The close handler reports the outage and schedules the retry.
        if (!closed) client.close();
      }
    }

    void attempt();
  }

  return {
    start(dispatch) {
      stopped = false;
      for (let node = 0; node < options.targets.length; node++) watch(node, dispatch);
      return () => {
        stopped = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const client of clients) client?.close();
      };
    },
    async run(node: number, request: ActionRequest): Promise<unknown> {
      const client = clients[node];
      if (client === undefined) throw new ApiError('LB_ERR_INTERNAL', 'not connected to this daemon');
      return client.request(request.cmd, request.args as never);
    },
  };
}
