import type { ClientTarget, LbClient } from '@lbctl/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClient, portsReport, snapshot, statRow } from '../testing/top-fixtures.js';
import { createLiveSource } from './live-source.js';
import type { TopAction } from './reducer.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** Resolves when `actions` holds one matching `predicate`. */
async function waitFor(actions: TopAction[], predicate: (a: TopAction) => boolean): Promise<TopAction> {
  for (let i = 0; i < 200; i++) {
    const found = actions.find(predicate);
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no such action among ${JSON.stringify(actions.map((a) => a.type))}`);
}

describe('createLiveSource', () => {
  it('says hello, reads configured weights, subscribes to every topic at the interval, and forwards pushes', async () => {
    const client = new FakeClient(7);
    const actions: TopAction[] = [];
    const source = createLiveSource({
      targets: [{ path: '/x.sock' }],
      connect: async () => client as unknown as LbClient,
      intervalMs: 500,
    });
    stop = source.start((a) => actions.push(a));
    await waitFor(actions, (a) => a.type === 'servers-state');
    await waitFor(actions, () => client.subscribed !== undefined);
    expect(client.subscribed).toEqual({
      topics: ['stats', 'server', 'admin', 'check', 'reload', 'ports', 'worker', 'ports-report'],
      intervalMs: 500,
    });
    client.push({ subscription: 1, topic: 'stats', data: snapshot(1, [statRow('mysql', 'db1')]) });
    client.push({
      subscription: 1,
      topic: 'server',
      data: {
        topic: 'server',
        time: 2,
        backend: 'mysql',
        server: 'db1',
        field: 'admin',
        from: 'ready',
        to: 'drain',
        reason: 'x',
        status: 'DRAIN',
      },
    });
    expect(actions.map((a) => a.type)).toEqual([
      'connecting',
      'connected',
      'servers-state',
      'stats',
      'event',
    ]);
    expect(actions[1]).toMatchObject({ type: 'connected', hello: { daemon: { pid: 7 } } });
  });

  it("turns each ports report into the dashboard's ports update, not an event line", async () => {
    const client = new FakeClient(7, { ports: portsReport(12_000) });
    const actions: TopAction[] = [];
    const source = createLiveSource({
      targets: [{ path: '/x.sock' }],
      connect: async () => client as unknown as LbClient,
    });
    stop = source.start((a) => actions.push(a));
    const ports = await waitFor(actions, (a) => a.type === 'ports');
    expect(ports).toMatchObject({
      type: 'ports',
      node: 0,
      report: { time: 12_000, complete: true, timeWaitTotal: 26_700 },
    });
    expect(ports.type === 'ports' && ports.report.pairs.map((p) => [p.source, p.used, p.range])).toEqual([
      ['127.0.0.2', 120, 28232],
      ['127.0.0.3', 26_900, 28232],
    ]);
    expect(actions.some((a) => a.type === 'event')).toBe(false);
  });

  it('reconnects by itself after a failed attempt and after the daemon closes the connection', async () => {
    const clients: FakeClient[] = [];
    let attempts = 0;
    const actions: TopAction[] = [];
    const source = createLiveSource({
      targets: [{ path: '/x.sock' }],
      connect: async () => {
        attempts++;
        if (attempts === 1) throw new Error('cannot reach lbd at /x.sock: connection refused');
        const c = new FakeClient(attempts);
        clients.push(c);
        return c as unknown as LbClient;
      },
      minRetryMs: 10,
      maxRetryMs: 20,
    });
    stop = source.start((a) => actions.push(a));
    const lost = await waitFor(actions, (a) => a.type === 'disconnected');
    expect(lost).toMatchObject({ error: 'cannot reach lbd at /x.sock: connection refused' });
    await waitFor(actions, (a) => a.type === 'connected');
    await waitFor(actions, () => clients[0]?.subscribed !== undefined);
    // The daemon restarts: the connection closes, and a new one follows.
    clients[0]!.close();
    await waitFor(actions, (a) => a.type === 'connected' && a.hello.daemon.pid === 3);
    expect(actions.filter((a) => a.type === 'disconnected')).toHaveLength(2);
  });

  it('sends actions to the daemon of the row, and refuses when that daemon is not connected', async () => {
    const a = new FakeClient(1);
    const actions: TopAction[] = [];
    const targets: ClientTarget[] = [{ path: '/a.sock' }, { path: '/b.sock' }];
    const source = createLiveSource({
      targets,
      connect: async (t) => {
        if ('path' in t && t.path === '/a.sock') return a as unknown as LbClient;
        throw new Error('no such socket');
      },
      minRetryMs: 1000,
    });
    stop = source.start((x) => actions.push(x));
    await waitFor(actions, () => a.subscribed !== undefined);
    await expect(
      source.run(0, { cmd: 'set-state', args: { backend: 'mysql', server: 'db1', state: 'drain' } }),
    ).resolves.toEqual({
      status: 'DRAIN',
    });
    expect(a.requests.at(-1)).toEqual({
      cmd: 'set-state',
      args: { backend: 'mysql', server: 'db1', state: 'drain' },
    });
    await expect(
      source.run(1, { cmd: 'enable-server', args: { backend: 'mysql', server: 'db1' } }),
    ).rejects.toThrow(/not connected/);
  });

  it('stops: closes its connections and retries no more', async () => {
    const client = new FakeClient(1);
    let attempts = 0;
    const actions: TopAction[] = [];
    const source = createLiveSource({
      targets: [{ path: '/x.sock' }],
      connect: async () => {
        attempts++;
        return client as unknown as LbClient;
      },
      minRetryMs: 5,
    });
    const end = source.start((x) => actions.push(x));
    await waitFor(actions, () => client.subscribed !== undefined);
    end();
    expect(client.closed).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(1);
  });
});
