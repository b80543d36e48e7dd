import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LbClient, type WorkerLifeEvent } from '@lbctl/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { echoOn, exchange, type HeldConnection, openHeld, shortExchange } from '../support/echo-clients.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type CloseInfo, waitForClose } from '../support/net-clients.js';
import { portsFor } from '../support/ports.js';
import { showStat, statNumber, statRow, statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { startTrackingServer } from '../support/tracking-server.js';
import { connectionOwner, workerPids } from '../support/worker-processes.js';

/**
 * `nbthread 2` when things go wrong: a worker killed under load is
 * replaced at once and only its own connections are lost; `shutdown
 * sessions` ends the sessions of a server whichever worker holds them.
 */
const ports = portsFor('workers-failures');
const LB_KILL = ports.local(0);
const LB_SHUT = ports.local(1);
const NAMED = { s1: ports.local(2), s2: ports.local(3) } as const;
/** Every server greets with `sN\n`: 3 bytes. */
const GREETING_BYTES = 3;
const cleanup = createCleanup();
const held = createCleanup();
let socket: string;
let lbd: Lbd;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  const dir = await makeTempDir('workers-failures');
  socket = join(dir, 'admin.sock');
  for (const [name, port] of Object.entries(NAMED)) {
    cleanup.add(await startTrackingServer(port, `${name}\n`), (s) => s.close());
  }
  const config = lbdConfig(
    { statsSocket: socket, global: ['nbthread 2'] },
    `
    listen killed
      bind 127.0.0.1:${LB_KILL}
      log global
      balance roundrobin
      server s1 127.0.0.1:${NAMED.s1}
      server s2 127.0.0.1:${NAMED.s2}

    listen shut
      bind 127.0.0.1:${LB_SHUT}
      log global
      balance roundrobin
      server s1 127.0.0.1:${NAMED.s1}
      server s2 127.0.0.1:${NAMED.s2}
    `,
  );
  lbd = cleanup.add(await startLbd(config, { name: 'workers-failures', dir }), (l) => l.stop());
});
afterEach(() => held.run());
afterAll(() => cleanup.run());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Placed extends HeldConnection {
  /** The worker process holding lbd's side of it. */
  readonly owner: number | undefined;
}

/**
 * Opens long-lived connections to `port` until `enough` says the set is
 * complete (at most `maxAttempts`); each is closed after the test.
 */
async function openUntil(
  port: number,
  workers: readonly number[],
  enough: (placed: readonly Placed[]) => boolean,
  maxAttempts = 40,
): Promise<Placed[]> {
  const placed: Placed[] = [];
  for (let i = 0; i < maxAttempts && !enough(placed); i++) {
    const connection = held.add(await openHeld(port, GREETING_BYTES), (c) => c.socket.destroy());
    placed.push({ ...connection, owner: await connectionOwner(workers, port, connection.localPort) });
  }
  return placed;
}

/** Resolves with how `socket` closed, or 'open' if it is still open after `timeoutMs`. */
function closedWithin(connection: HeldConnection, timeoutMs: number): Promise<CloseInfo | 'open'> {
  return Promise.race([waitForClose(connection.socket), sleep(timeoutMs).then(() => 'open' as const)]);
}

/** Whether `pid` has exited (gone, or a zombie waiting for its parent). */
async function dead(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

/** One short connection of the load, with when it started (epoch ms, as lbd's log) and how it went. */
interface ShortResult {
  readonly index: number;
  readonly startedAt: number;
  readonly ok: boolean;
  readonly why?: string;
}

describe('nbthread 2: a worker killed under load', () => {
  it('is replaced within a second; only its own connections are lost', { timeout: 60_000 }, async () => {
    const workers = await workerPids(lbd.pid!);
    expect(workers).toHaveLength(2);
    // Long-lived connections on both workers: at least 2 each.
    const streams = await openUntil(LB_KILL, workers, (p) =>
      workers.every((w) => p.filter((c) => c.owner === w).length >= 2),
    );
    for (const w of workers) expect(streams.filter((c) => c.owner === w).length).toBeGreaterThanOrEqual(2);
    for (const [i, c] of streams.entries())
      expect(await echoOn(c.socket, `before ${i}\n`)).toBe(`before ${i}\n`);
    const victim = workers[0]!;
    const survivor = workers[1]!;
    const victimStreams = streams.filter((c) => c.owner === victim);
    const survivorStreams = streams.filter((c) => c.owner === survivor);
    const victimClosed = victimStreams.map((c) => closedWithin(c, 10_000));

    // The load: 50 new connections a second for 3 s, each one with its own 5 s deadline.
    const RATE = 50;
    const TOTAL = 150;
    const results: ShortResult[] = [];
    let inFlight = 0;
    const runs: Promise<void>[] = [];
    const launch = (index: number) => {
      inFlight++;
      const startedAt = Date.now();
      const payload = `short ${index}\n`;
      runs.push(
        exchange(LB_KILL, payload).then((r) => {
          inFlight--;
          const ok =
            r.error === undefined &&
            r.reply.length === GREETING_BYTES + payload.length &&
            r.reply.endsWith(payload);
          results.push(
            ok ? { index, startedAt, ok } : { index, startedAt, ok, why: r.error ?? JSON.stringify(r.reply) },
          );
        }),
      );
    };
    const loadStart = performance.now();
    let launched = 0;
    const loadDone = (async () => {
      while (launched < TOTAL) {
        launch(launched++);
        await sleep(Math.max(0, loadStart + (launched * 1000) / RATE - performance.now()));
      }
    })();

    // Operators see it on the event stream too.
    const client = cleanup.add(await LbClient.connect({ path: socket }), (c) => c.close());
    const published: WorkerLifeEvent[] = [];
    await client.subscribe(['worker'], (push) => published.push(push.data as WorkerLifeEvent));

    // Half-way: SIGKILL one worker.
    while (launched < TOTAL / 2) await sleep(5);
    const stotBefore = statNumber(statRow(await showStat(socket), 'killed', 'FRONTEND'), 'stot');
    const from = lbd.mark();
    const inFlightAtKill = inFlight;
    const launchedAtKill = launched;
    const killedAt = performance.now();
    const killedAtEpoch = Date.now();
    process.kill(victim, 'SIGKILL');
    // Connections started before the victim is seen dead may have reached it too.
    for (let i = 0; i < 500 && !(await dead(victim)); i++) await sleep(2);
    const launchedBeforeDeath = launched;
    expect(await dead(victim)).toBe(true);

    // A new worker appears among lbd's children.
    let replacement: number | undefined;
    for (let i = 0; i < 500 && replacement === undefined; i++) {
      const now = await workerPids(lbd.pid!);
      replacement = now.find((pid) => !workers.includes(pid));
      if (replacement === undefined) await sleep(10);
    }
    const newWorkerMs = performance.now() - killedAt;
    expect(replacement, 'a new worker process').toBeDefined();
    expect(newWorkerMs).toBeLessThan(1000);

    // The master reports the death and the replacement.
    const died = await lbd.waitForLog((r) => r.component === 'workers' && /died/.test(r.msg), 5_000, from);
    const slot = died.worker as number;
    expect(died.msg).toBe(`worker ${slot} (pid ${victim}) died: SIGKILL; its own connections are lost`);
    const replaced = await lbd.waitForLog(
      (r) => r.component === 'workers' && r.msg.startsWith(`worker ${slot} replaced`),
      5_000,
      from,
    );
    expect(replaced.msg).toBe(`worker ${slot} replaced by pid ${replacement}`);
    for (let i = 0; i < 100 && published.length < 2; i++) await sleep(10);
    expect(published).toMatchObject([
      { topic: 'worker', worker: slot, pid: victim, what: 'died' },
      { topic: 'worker', worker: slot, pid: replacement, what: 'replaced' },
    ]);
    expect(await workerPids(lbd.pid!)).toEqual([survivor, replacement!].sort((a, b) => a - b));
    const replacedMs = replaced.time - killedAtEpoch;

    // The victim's long-lived connections are gone; the survivor's carry on.
    for (const closed of await Promise.all(victimClosed)) expect(closed).not.toBe('open');
    for (const [i, c] of survivorStreams.entries()) {
      expect(await echoOn(c.socket, `after ${i}\n`)).toBe(`after ${i}\n`);
    }

    await loadDone;
    await Promise.all(runs);
    const failed = results.filter((r) => !r.ok);
    const summary =
      `kill at connection ${launchedAtKill} (${inFlightAtKill} in flight, ${launchedBeforeDeath - launchedAtKill} more ` +
      `started before it was dead); new worker after ${Math.round(newWorkerMs)} ms, replaced (ready) after ` +
      `${Math.round(replacedMs)} ms; ${failed.length} of ${TOTAL} short connections failed: ${JSON.stringify(failed)}`;
    console.log(summary);
    expect(results, summary).toHaveLength(TOTAL);
    // Only what the victim held when it died can fail: connections in flight then.
    expect(failed.length, summary).toBeLessThanOrEqual(
      inFlightAtKill + (launchedBeforeDeath - launchedAtKill),
    );
    for (const f of failed) expect(f.index, summary).toBeLessThan(launchedBeforeDeath);
    // Everything after the replacement went through.
    expect(
      results.filter((r) => r.startedAt > replaced.time && !r.ok),
      summary,
    ).toEqual([]);

    // The replacement serves, and nothing counted before the kill was lost from show stat.
    const after = lbd.mark();
    for (let i = 0; i < 40; i++) expect(await shortExchange(LB_KILL, `late ${i}\n`)).toMatch(/^s[12]\nlate/);
    const late = await lbd.waitForTrafficCount(40, 10_000, after);
    expect(new Set(late.map((r) => r.pid))).toEqual(new Set([survivor, replacement]));
    const rows = await waitForStat(
      socket,
      (r) => statNumber(statRow(r, 'killed', 'FRONTEND'), 'stot') >= stotBefore + 40,
      10_000,
    );
    expect(statNumber(statRow(rows, 'killed', 'FRONTEND'), 'stot')).toBeGreaterThanOrEqual(stotBefore + 40);
    for (const [i, c] of survivorStreams.entries()) {
      expect(await echoOn(c.socket, `end ${i}\n`)).toBe(`end ${i}\n`);
    }
  });
});

describe('nbthread 2: shutdown sessions', () => {
  it("shutdown sessions server shut/s1 ends s1's sessions on both workers and leaves s2's", async () => {
    const workers = await workerPids(lbd.pid!);
    expect(workers).toHaveLength(2);
    const on = (p: readonly Placed[], server: string, owner?: number) =>
      p.filter((c) => c.server === server && (owner === undefined || c.owner === owner));
    const placed = await openUntil(
      LB_SHUT,
      workers,
      (p) => workers.every((w) => on(p, 's1', w).length >= 1) && on(p, 's2').length >= 2,
    );
    const s1 = on(placed, 's1');
    const s2 = on(placed, 's2');
    for (const w of workers) expect(on(placed, 's1', w).length).toBeGreaterThanOrEqual(1);
    expect(s2.length).toBeGreaterThanOrEqual(2);
    const scur = (rows: Awaited<ReturnType<typeof showStat>>, server: string) =>
      statNumber(statRow(rows, 'shut', server), 'scur');
    await waitForStat(socket, (r) => scur(r, 's1') === s1.length && scur(r, 's2') === s2.length, 10_000);
    // show sess gathers both workers' sessions: every client, on its server.
    const listed = (await statsCommand(socket, 'show sess'))
      .split('\n')
      .filter((l) => l.includes(' fe=shut '));
    const sessionOf = (c: Placed) => listed.filter((l) => l.includes(` src=127.0.0.1:${c.localPort} `));
    for (const c of placed) expect(sessionOf(c).map((l) => / srv=(\S+)/.exec(l)?.[1])).toEqual([c.server]);

    const from = lbd.mark();
    const closed = s1.map((c) => closedWithin(c, 5_000));
    expect(await statsCommand(socket, 'shutdown sessions server shut/s1')).toBe('\n');
    for (const how of await Promise.all(closed)) expect(how).not.toBe('open');
    for (const [i, c] of s2.entries()) expect(await echoOn(c.socket, `still ${i}\n`)).toBe(`still ${i}\n`);

    // Each worker logged its own killed sessions (termination K).
    const records = await lbd.waitForTrafficCount(s1.length, 5_000, from);
    const ports = new Set(s1.map((c) => `127.0.0.1:${c.localPort}`));
    expect(records.map((r) => r.client).sort()).toEqual([...ports].sort());
    for (const r of records) expect(r.termination).toMatch(/^K/);
    expect(new Set(records.map((r) => r.worker))).toEqual(new Set([0, 1]));
    await waitForStat(socket, (r) => scur(r, 's1') === 0 && scur(r, 's2') === s2.length, 10_000);
    // s1 still takes new connections.
    expect(await shortExchange(LB_SHUT, 'new\n')).toMatch(/^s[12]\nnew\n$/);
  });
});
