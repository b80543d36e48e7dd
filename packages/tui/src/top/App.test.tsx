import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type InkHarness, KEYS, renderInk } from '../testing/ink.js';
import { FakeSource, helloResult, snapshot, statRow } from '../testing/top-fixtures.js';
import { App } from './App.js';
import { UNICODE_GLYPHS } from './format.js';
import { initialState } from './state.js';

const ROWS = [statRow('mysql', 'db1', { sid: 1, scur: 3 }), statRow('mysql', 'db2', { sid: 2, scur: 1 })];

let clock = 100_000;
const now = () => clock;
let ink: InkHarness | undefined;

afterEach(() => {
  ink?.unmount();
  ink = undefined;
  vi.useRealTimers();
});

async function start(options: { readOnly?: boolean } = {}) {
  const source = new FakeSource();
  const onExit = vi.fn();
  ink = await renderInk(
    <App
      source={source}
      initial={initialState({
        targets: ['/run/lbd/admin.sock'],
        now: clock,
        readOnly: options.readOnly ?? false,
      })}
      glyphs={UNICODE_GLYPHS}
      now={now}
      onExit={onExit}
      size={{ columns: 80, rows: 24 }}
    />,
  );
  return { source, onExit, ink };
}

async function screen(): Promise<string> {
  return stripVTControlCharacters(await ink!.frame());
}

function live(source: FakeSource, rows = ROWS) {
  source.emit(
    { type: 'connected', node: 0, hello: helloResult(), time: clock },
    { type: 'stats', node: 0, snapshot: snapshot(clock, rows) },
  );
}

describe('App', () => {
  it('starts the source, connects, and lists the servers it pushes', async () => {
    const { source } = await start();
    expect(source.started).toBe(1);
    expect(await screen()).toContain('connecting to /run/lbd/admin.sock');
    live(source);
    const text = await screen();
    expect(text).toMatch(/db1 +UP/);
    expect(text).toMatch(/db2 +UP/);
    expect(text).not.toContain('connecting');
  });

  it('drains the selected server after y, and shows the result and the new state', async () => {
    const { source } = await start();
    live(source);
    await ink!.press(KEYS.down, 'd');
    expect(await screen()).toContain('Drain mysql/db2 (no new sessions, current ones finish)? y/N');
    expect(source.requests).toEqual([]);
    await ink!.press('y');
    expect(source.requests).toEqual([
      { node: 0, request: { cmd: 'set-state', args: { backend: 'mysql', server: 'db2', state: 'drain' } } },
    ]);
    expect(await screen()).toContain('mysql/db2: now DRAIN');
    source.emit({
      type: 'stats',
      node: 0,
      snapshot: snapshot(clock + 1000, [ROWS[0]!, statRow('mysql', 'db2', { sid: 2, status: 'DRAIN' })]),
    });
    expect(await screen()).toMatch(/db2 +DRAIN/);
  });

  it("shows the daemon's refusal as the action's result", async () => {
    const { source } = await start();
    live(source);
    source.answer = async () => {
      throw Object.assign(new Error('Permission denied'), { code: 'LB_ERR_PERMISSION_DENIED' });
    };
    await ink!.press('x', 'y');
    expect(await screen()).toContain('mysql/db1: LB_ERR_PERMISSION_DENIED: Permission denied');
  });

  it('sets a weight through the prompt', async () => {
    const { source } = await start();
    live(source);
    source.answer = async () => ({ weight: 50 });
    await ink!.press('w', '5', '0', '%');
    expect(await screen()).toContain('weight (0-256, or N% of the configured weight) for mysql/db1: 50%');
    await ink!.press(KEYS.enter, 'y');
    expect(source.requests[0]!.request).toEqual({
      cmd: 'set-weight',
      args: { backend: 'mysql', server: 'db1', weight: '50%' },
    });
    expect(await screen()).toContain('mysql/db1: weight 50');
  });

  it('has no action keys with --read-only, in the footer or on the keyboard', async () => {
    const { source } = await start({ readOnly: true });
    live(source);
    await ink!.press('d', 'y', 'x', 'y');
    expect(source.requests).toEqual([]);
    const text = await screen();
    expect(text).toContain('read-only');
    expect(text).not.toMatch(/d drain/);
  });

  it('filters with /, switches views with Tab and shows help on ?', async () => {
    const { source } = await start();
    live(source);
    await ink!.press('/', 'd', 'b', '2', KEYS.enter);
    let text = await screen();
    expect(text).not.toMatch(/^db1 /m);
    expect(text).toMatch(/^db2 /m);
    await ink!.press(KEYS.tab);
    expect(await screen()).toContain('no port data yet: the daemon has not reported source ports');
    await ink!.press('?');
    text = await screen();
    expect(text).toContain('Keys (any key closes this help)');
    expect(text).toContain('drain the selected server');
  });

  it('q exits 0 and Ctrl-C exits 130', async () => {
    const first = await start();
    await ink!.press('q');
    expect(first.onExit).toHaveBeenCalledWith(0);
    ink!.unmount();
    const second = await start();
    await ink!.press(KEYS.ctrlC);
    expect(second.onExit).toHaveBeenCalledWith(130);
  });

  it('shows a banner while a daemon is away, counting with the clock, and drops it on reconnection', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] });
    const { source } = await start();
    live(source);
    source.emit({
      type: 'disconnected',
      node: 0,
      error: 'the daemon closed the connection',
      retryAt: clock + 3000,
      time: clock,
    });
    expect(await screen()).toContain(
      'DISCONNECTED lb-a for 0s: the daemon closed the connection; retrying in 3s',
    );
    clock += 2000;
    vi.advanceTimersByTime(2000);
    expect(await screen()).toContain(
      'DISCONNECTED lb-a for 2s: the daemon closed the connection; retrying in 1s',
    );
    live(source);
    expect(await screen()).not.toContain('DISCONNECTED');
  });
});
