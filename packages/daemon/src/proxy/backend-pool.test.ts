import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendPool, type ServerRequest } from './backend-pool.js';
import type { ServerRuntime } from './server-runtime.js';
import { modelWith, serverConfig } from './test-fixtures.js';

function poolOf(...args: Parameters<typeof modelWith>): BackendPool {
  return new BackendPool(modelWith(...args).backends.get('be')!);
}

/** Acquires a server for a client and records what happened. */
function request(pool: BackendPool, clientAddress = '127.0.0.9') {
  const outcome: { server?: ServerRuntime; unavailable?: string; timedOut?: boolean } = {};
  const req: ServerRequest = {
    clientAddress,
    onAssigned: (server) => {
      outcome.server = server;
    },
    onUnavailable: (reason) => {
      outcome.unavailable = reason;
    },
    onQueueTimeout: () => {
      outcome.timedOut = true;
    },
  };
  const cancel = pool.acquire(req);
  return { outcome, cancel };
}

function names(pool: BackendPool, count: number, release = true): string {
  const picked: string[] = [];
  for (let i = 0; i < count; i++) {
    const { outcome } = request(pool);
    picked.push(outcome.server?.model.name ?? '-');
    if (release && outcome.server) pool.release(outcome.server);
  }
  return picked.join(' ');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BackendPool balancing', () => {
  it('alternates under roundrobin and spreads 3:1 weights smoothly', () => {
    expect(names(poolOf([serverConfig('a', 1), serverConfig('b', 2)]), 4)).toBe('a b a b');
    const weighted = poolOf([serverConfig('a', 1, { weight: 3 }), serverConfig('b', 2, { weight: 1 })]);
    const picks = names(weighted, 400).split(' ');
    expect(picks.filter((n) => n === 'a')).toHaveLength(300);
    expect(picks.slice(0, 4).sort().join('')).toBe('aaab');
  });

  it('takes no new connection on weight 0, drain or maint', () => {
    const model = modelWith([serverConfig('a', 1), serverConfig('b', 2), serverConfig('c', 3)]);
    const pool = new BackendPool(model.backends.get('be')!);
    model.onServerChange(() => pool.refresh());
    model.findServer('be', 'a')!.setWeight(0, 'test');
    model.findServer('be', 'b')!.setAdmin('drain', 'test');
    expect(names(pool, 3)).toBe('c c c');
    model.findServer('be', 'c')!.setAdmin('maint', 'test');
    expect(request(pool).outcome.unavailable).toBe('no-server');
  });

  it('uses the first backup only when no active server is usable', () => {
    const model = modelWith([
      serverConfig('a', 1),
      serverConfig('bk1', 2, { backup: true }),
      serverConfig('bk2', 3, { backup: true }),
    ]);
    const pool = new BackendPool(model.backends.get('be')!);
    model.onServerChange(() => pool.refresh());
    expect(names(pool, 2)).toBe('a a');
    model.findServer('be', 'a')!.setHealth('down', 'test');
    expect(names(pool, 2)).toBe('bk1 bk1');
    model.findServer('be', 'a')!.setHealth('up', 'test');
    expect(names(pool, 1)).toBe('a');
  });

  it('sends leastconn clients to the idler server, weights considered', () => {
    const pool = poolOf([serverConfig('a', 1), serverConfig('b', 2)], { balance: 'leastconn' });
    const first = request(pool).outcome.server!;
    const second = request(pool).outcome.server!;
    expect(second).not.toBe(first);
    pool.release(first);
    expect(request(pool).outcome.server).toBe(first);
  });

  it('fills servers in order under balance first', () => {
    const pool = poolOf([serverConfig('a', 1, { maxconn: 2 }), serverConfig('b', 2, { maxconn: 2 })], {
      balance: 'first',
    });
    expect(names(pool, 3, false)).toBe('a a b');
  });

  it('keeps a source address on one server and moves only the leaving server’s clients', () => {
    const model = modelWith([serverConfig('a', 1), serverConfig('b', 2), serverConfig('c', 3)], {
      balance: 'source',
    });
    const pool = new BackendPool(model.backends.get('be')!);
    model.onServerChange(() => pool.refresh());
    const placement = new Map<string, string>();
    for (let i = 2; i < 200; i++) {
      const address = `127.0.${i % 256}.${(i * 7) % 256}`;
      const { server } = request(pool, address).outcome;
      pool.release(server!);
      placement.set(address, server!.model.name);
      expect(request(pool, address).outcome.server?.model.name).toBe(server!.model.name);
      pool.release(request(pool, address).outcome.server!);
      pool.release(pool.servers.find((s) => s.model.name === server!.model.name)!);
    }
    const used = new Set(placement.values());
    expect(used.size).toBe(3);
    model.findServer('be', 'c')!.setAdmin('maint', 'test');
    for (const [address, before] of placement) {
      const after = request(pool, address).outcome.server!.model.name;
      if (before !== 'c') expect(after).toBe(before);
    }
  });
});

describe('BackendPool queue', () => {
  it('queues beyond maxconn and serves in arrival order as slots free', () => {
    const pool = poolOf([serverConfig('a', 1, { maxconn: 2 })]);
    const running = [request(pool), request(pool)];
    const waiting = [request(pool), request(pool), request(pool)];
    expect(running.every((r) => r.outcome.server)).toBe(true);
    expect(waiting.some((r) => r.outcome.server)).toBe(false);
    expect(pool.counters.queued).toBe(3);
    pool.release(running[0]!.outcome.server!);
    expect(waiting.map((r) => Boolean(r.outcome.server))).toEqual([true, false, false]);
    pool.release(running[1]!.outcome.server!);
    expect(waiting.map((r) => Boolean(r.outcome.server))).toEqual([true, true, false]);
    expect(pool.counters.queueMax).toBe(3);
  });

  it('expires a queued request after timeout queue and stops counting it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pool = poolOf([serverConfig('a', 1, { maxconn: 1 })], { timeouts: { queue: 1000 } });
    request(pool);
    const queued = request(pool);
    vi.advanceTimersByTime(999);
    expect(queued.outcome.timedOut).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(queued.outcome.timedOut).toBe(true);
    expect(pool.counters.queued).toBe(0);
  });

  it('refuses when every server’s maxqueue is reached, and a cancelled wait leaves the queue', () => {
    const pool = poolOf([serverConfig('a', 1, { maxconn: 1, maxqueue: 1 })]);
    request(pool);
    const waiting = request(pool);
    expect(request(pool).outcome.unavailable).toBe('queue-full');
    waiting.cancel?.();
    expect(pool.counters.queued).toBe(0);
  });
});
