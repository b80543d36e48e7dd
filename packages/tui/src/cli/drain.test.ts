import { describe, expect, it } from 'vitest';
import { FakeDaemon, fakeDeps, fakeServer } from '../testing/fake-daemon.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './program.js';

/** Resolves once `predicate` holds, checked every millisecond for up to two seconds. */
async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  if (!predicate()) throw new Error('condition never held');
}

function setup() {
  const daemon = new FakeDaemon([
    fakeServer('mysql_ro', 'db1', { sessions: 2 }),
    fakeServer('mysql_ro', 'db2'),
  ]);
  const io = fakeDeps(daemon);
  return { daemon, io, db1: daemon.servers[0]! };
}

describe('lbctl drain --wait', () => {
  it('returns as soon as a pushed snapshot shows no sessions, then applies --then maint', async () => {
    const { daemon, io, db1 } = setup();
    const done = runCli(['drain', 'db1', '--wait', '--timeout', '10s', '--then', 'maint'], io.deps);
    await until(() => daemon.subscribed);
    daemon.pushStats();
    await until(() => io.stderr.text.includes('mysql_ro/db1 2'));
    db1.sessions = 0;
    daemon.pushStats();
    expect(await done).toBe(0);
    expect(db1.admin).toBe('maint');
    expect(io.stdout.text).toMatch(/^mysql_ro\/db1: DRAIN .*\ndrained in \d+ms\nmysql_ro\/db1: MAINT /);
    expect(daemon.requests.map((r) => r.cmd)).toContain('unsubscribe');
    // Pushed, never polled: no show-stat request during the wait.
    expect(daemon.requests.filter((r) => r.cmd === 'show-stat')).toHaveLength(0);
  });

  it('exits 7 at --timeout with the sessions still open, leaving the server in drain', async () => {
    const { daemon, io, db1 } = setup();
    const started = Date.now();
    const done = runCli(['drain', 'db1', '--wait', '--timeout', '200ms', '--then', 'maint'], io.deps);
    await until(() => daemon.subscribed);
    daemon.pushStats();
    expect(await done).toBe(EXIT.timedOut);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(db1.admin).toBe('drain');
    expect(io.stderr.text).toContain(
      'lbctl: timed out after 200ms waiting for the drain; still open: mysql_ro/db1: 2 sessions (left in DRAIN)',
    );
  });

  it('--kill-after closes the stragglers and the wait then succeeds', async () => {
    const { daemon, io, db1 } = setup();
    const done = runCli(['drain', 'db1', '--wait', '--kill-after', '50ms', '--json'], io.deps);
    await until(() => daemon.subscribed);
    daemon.pushStats();
    await until(() => daemon.requests.some((r) => r.cmd === 'shutdown-sessions'));
    expect(db1.sessions).toBe(0);
    daemon.pushStats();
    expect(await done).toBe(0);
    const doc = JSON.parse(io.stdout.text);
    expect(doc.wait).toMatchObject({ drained: true, killed: 2 });
  });

  it('Ctrl-C during the wait exits 130 and unsubscribes', async () => {
    const { daemon, io } = setup();
    const done = runCli(['drain', 'db1', '--wait'], io.deps);
    await until(() => daemon.subscribed);
    io.interrupt();
    expect(await done).toBe(EXIT.interrupted);
    await until(() => !daemon.subscribed);
  });

  it('a dropped connection while waiting is "daemon unreachable"', async () => {
    const { daemon, io } = setup();
    const done = runCli(['drain', 'db1', '--wait'], io.deps);
    await until(() => daemon.subscribed);
    for (const client of daemon.clients) client.emit('close');
    expect(await done).toBe(EXIT.unreachable);
  });

  it('shows a live count rewritten in place on a terminal', async () => {
    const { daemon, io, db1 } = setup();
    (io.stderr as { isTTY: boolean }).isTTY = true;
    const done = runCli(['drain', 'db1', '--wait', '--timeout', '5s'], io.deps);
    await until(() => daemon.subscribed);
    daemon.pushStats();
    db1.sessions = 1;
    daemon.pushStats();
    db1.sessions = 0;
    daemon.pushStats();
    expect(await done).toBe(0);
    const ERASE = '\r\u001b[K';
    const frames = io.stderr.text.split(ERASE);
    // Each count rewrites the same line; the last erase clears it for what follows.
    expect(frames[0]).toBe('');
    expect(frames[1]).toMatch(/^waiting for sessions to end: mysql_ro\/db1 2 \(\d+ms\/5\.0s\)$/);
    expect(frames[2]).toMatch(/^waiting for sessions to end: mysql_ro\/db1 1 /);
    expect(frames.at(-1)).toBe('');
  });
});

describe('lbctl events and status --watch', () => {
  it('events --json prints each event as one NDJSON line and stops at --count', async () => {
    const daemon = new FakeDaemon([fakeServer('b', 's')]);
    const io = fakeDeps(daemon);
    const done = runCli(['events', '--json', '--count', '2', '--topics', 'server,admin'], io.deps);
    await until(() => daemon.subscribed);
    const event = {
      topic: 'server',
      time: 1,
      backend: 'b',
      server: 's',
      field: 'admin',
      from: 'ready',
      to: 'maint',
      reason: 'x',
      status: 'MAINT',
    } as const;
    daemon.pushEvent(event);
    daemon.pushEvent({ ...event, to: 'ready', status: 'UP' });
    daemon.pushEvent({ ...event, to: 'drain', status: 'DRAIN' });
    expect(await done).toBe(0);
    const lines = io.stdout.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([event, { ...event, to: 'ready', status: 'UP' }]);
    expect(await runCli(['events', '--topics', 'weather'], fakeDeps(daemon).deps)).toBe(EXIT.usage);
  });

  it('events prints readable lines and exits 130 on Ctrl-C', async () => {
    const daemon = new FakeDaemon([fakeServer('b', 's')]);
    const io = fakeDeps(daemon);
    const done = runCli(['events'], io.deps);
    await until(() => daemon.subscribed);
    daemon.pushEvent({
      topic: 'check',
      time: 0,
      backend: 'b',
      server: 's',
      from: 'UP',
      to: 'DOWN',
      reason: 'Layer4 timeout',
      source: 'check',
    });
    io.interrupt();
    expect(await done).toBe(EXIT.interrupted);
    expect(io.stdout.text).toBe('1970-01-01T00:00:00.000Z check  b/s UP -> DOWN (check: Layer4 timeout)\n');
  });

  it('status --watch renders on every pushed snapshot', async () => {
    const daemon = new FakeDaemon([fakeServer('b', 's')]);
    const io = fakeDeps(daemon);
    const done = runCli(['status', '--watch', '500ms', '--count', '2', '--json'], io.deps);
    await until(() => daemon.subscribed);
    daemon.pushStats();
    await until(() => io.stdout.text.split('\n').length > 1);
    daemon.pushStats();
    expect(await done).toBe(0);
    expect(daemon.requests.find((r) => r.cmd === 'subscribe')?.args).toMatchObject({ intervalMs: 500 });
    expect(io.stdout.text.trim().split('\n')).toHaveLength(2);
  });
});
