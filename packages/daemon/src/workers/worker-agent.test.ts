import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ServerRequest } from '../proxy/backend-pool.js';
import { DataPlane } from '../proxy/index.js';
import { modelWith, serverConfig } from '../proxy/test-fixtures.js';
import type { WorkerMessage } from './messages.js';
import { WorkerAgent } from './worker-agent.js';

function setup() {
  const model = modelWith([serverConfig('s1', 1, { maxconn: 4 })], {
    timeouts: { connect: 5000, queue: 60_000 },
  } as never);
  const plane = new DataPlane(model, pino({ level: 'silent' }), {
    role: { kind: 'worker', share: { index: 0, count: 2 }, handles: new Map() },
  });
  const sent: WorkerMessage[] = [];
  let exited = false;
  const agent = new WorkerAgent(
    model,
    plane,
    (m, then) => {
      sent.push(m);
      then?.();
    },
    () => (exited = true),
  );
  const pool = plane.pools.get('be')!;
  const assigned: string[] = [];
  const request = (): ServerRequest => ({
    clientAddress: '127.0.0.1',
    onAssigned: (server) => assigned.push(server.model.name),
    onUnavailable: () => assigned.push('unavailable'),
    onQueueTimeout: () => assigned.push('timeout'),
  });
  return { model, plane, agent, pool, sent, assigned, request, exited: () => exited };
}

describe('WorkerAgent slot leases', () => {
  it('queues past its lease, asks the master, and serves the queue when granted', () => {
    const { agent, pool, sent, assigned, request } = setup();
    agent.lease({ 'be/s1': 1 });
    pool.acquire(request());
    pool.acquire(request());
    expect(assigned).toEqual(['s1']);
    expect(pool.queued).toBe(1);
    agent.tick();
    expect(sent).toContainEqual({ type: 'need', key: 'be/s1', count: 1 });
    agent.handle({ type: 'grant', key: 'be/s1', count: 1 });
    expect(assigned).toEqual(['s1', 's1']);
    expect(pool.queued).toBe(0);
  });

  it('repeats an unchanged request for slots only after a while, a changed one at once', () => {
    const { agent, pool, sent, request } = setup();
    agent.lease({ 'be/s1': 1 });
    pool.acquire(request());
    pool.acquire(request());
    const needs = () => sent.filter((m) => m.type === 'need');
    agent.tick(1000);
    agent.tick(1050);
    expect(needs()).toEqual([{ type: 'need', key: 'be/s1', count: 1 }]);
    pool.acquire(request());
    agent.tick(1100);
    expect(needs().at(-1)).toEqual({ type: 'need', key: 'be/s1', count: 2 });
    agent.tick(1700);
    expect(needs()).toHaveLength(3);
  });

  it('gives back only slots it does not use, the rest as its sessions end', () => {
    const { agent, pool, sent, request } = setup();
    agent.lease({ 'be/s1': 3 });
    pool.acquire(request());
    agent.handle({ type: 'reclaim', key: 'be/s1', count: 3 });
    expect(sent).toContainEqual({ type: 'release', key: 'be/s1', count: 2 });
    pool.release(pool.servers[0]!);
    agent.tick();
    expect(sent).toContainEqual({ type: 'release', key: 'be/s1', count: 1 });
    expect(pool.servers[0]!.slots).toBe(0);
  });

  it('on stop, returns its free slots and exits once its sessions are done', () => {
    const { agent, plane, pool, sent, request, exited } = setup();
    agent.lease({ 'be/s1': 2 });
    // One session admitted by a frontend and holding a slot of s1.
    plane.admission.active = 1;
    pool.acquire(request());
    agent.handle({ type: 'stop', graceMs: 60_000 });
    agent.tick();
    expect(sent).toContainEqual({ type: 'release', key: 'be/s1', count: 1 });
    expect(exited()).toBe(false);
    // The session's end, as the data plane records it.
    pool.release(pool.servers[0]!);
    plane.admission.active = 0;
    agent.tick();
    expect(exited()).toBe(true);
    expect(sent.at(-1)).toMatchObject({ type: 'counters', final: true });
  });
});
