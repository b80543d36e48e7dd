import { describe, expect, it } from 'vitest';
import { helloResult, serverState, snapshot, statRow } from '../testing/top-fixtures.js';
import type { KeyPress } from './keys.js';
import { MESSAGE_TTL_MS, type TopAction, topReducer } from './reducer.js';
import { initialState, type TopState } from './state.js';
import { VIEW_SPECS } from './views.js';

const ROWS = [
  statRow('mysql', 'db1', { sid: 1, scur: 5, addr: '127.0.0.1:3306' }),
  statRow('mysql', 'db2', { sid: 2, scur: 9, status: 'DOWN', addr: '127.0.0.1:3307' }),
  statRow('mysql', 'db3', { sid: 3, scur: 1, addr: '127.0.0.1:3308' }),
];

function reduce(state: TopState, ...actions: TopAction[]): TopState {
  return actions.reduce(topReducer, state);
}

function key(input: string, more: Partial<KeyPress> = {}): TopAction {
  return { type: 'key', key: { input, ...more } };
}

function ready(options: { readOnly?: boolean; targets?: string[] } = {}): TopState {
  const targets = options.targets ?? ['/run/lbd/admin.sock'];
  let state = initialState({ targets, now: 0, readOnly: options.readOnly ?? false });
  targets.forEach((_, node) => {
    state = reduce(
      state,
      { type: 'connected', node, hello: helloResult(100 + node), time: 0 },
      { type: 'stats', node, snapshot: snapshot(1000, ROWS, { node: `lb-${node}`, Pid: 100 + node }) },
    );
  });
  return state;
}

/** The servers view's item rows as `server:selected`. */
function serverNames(state: TopState): string[] {
  return VIEW_SPECS.servers.rows(state).flatMap((r) => (r.kind === 'item' ? [r.item.row.server] : []));
}

describe('topReducer: data', () => {
  it('builds a node from hello and a snapshot: name, version, pid, figures and servers', () => {
    const node = ready().nodes[0]!;
    expect(node).toMatchObject({
      name: 'lb-0',
      version: '0.1.0',
      pid: 100,
      link: 'connected',
      currentConns: 12,
      maxConns: 2000,
    });
    expect(node.servers.map((s) => s.server)).toEqual(['db1', 'db2', 'db3']);
  });

  it('records configured weights from show-servers-state on the rows', () => {
    const state = reduce(ready(), {
      type: 'servers-state',
      node: 0,
      servers: [serverState('mysql', 'db1', 4)],
    });
    expect(state.nodes[0]!.servers[0]!.initialWeight).toBe(4);
  });

  it('marks a lost daemon with its reason, logs the outage once, and forgets counters of a restarted one', () => {
    let state = reduce(
      ready(),
      { type: 'disconnected', node: 0, error: 'connection refused', retryAt: 500, time: 100 },
      { type: 'disconnected', node: 0, error: 'connection refused', retryAt: 900, time: 600 },
    );
    expect(state.nodes[0]).toMatchObject({
      link: 'disconnected',
      linkError: 'connection refused',
      linkSince: 100,
    });
    expect(state.events.filter((e) => e.kind === 'link' && e.text.includes('lost'))).toHaveLength(1);
    state = reduce(state, { type: 'connected', node: 0, hello: helloResult(999), time: 2000 });
    expect(state.nodes[0]).toMatchObject({ link: 'connected', pid: 999, servers: [] });
  });

  it('logs events newest first, and a port alert also feeds the ports view', () => {
    const state = reduce(
      ready(),
      {
        type: 'event',
        node: 0,
        event: {
          topic: 'check',
          time: 5,
          backend: 'mysql',
          server: 'db2',
          from: 'UP',
          to: 'DOWN',
          reason: 'refused',
          source: 'check',
          checkStatus: 'L4CON',
          checkDurationMs: 1,
        },
      },
      {
        type: 'event',
        node: 0,
        event: {
          topic: 'ports',
          time: 6,
          source: '127.0.0.1',
          destination: '127.0.0.1:3306',
          used: 100,
          available: 900,
          level: 'ok',
        },
      },
    );
    expect(state.events.map((e) => e.kind).slice(0, 2)).toEqual(['ports', 'check']);
    expect(state.events[1]).toMatchObject({ subject: 'mysql/db2', severity: 'error' });
    expect(state.events[1]!.text).toContain('L4CON 1ms');
    expect(state.nodes[0]!.ports?.pairs[0]).toMatchObject({ server: 'mysql/db1', used: 100, range: 1000 });
  });

  it('applies a state change to its row at once, before the next snapshot', () => {
    const state = reduce(ready(), {
      type: 'event',
      node: 0,
      event: {
        topic: 'server',
        time: 7,
        backend: 'mysql',
        server: 'db1',
        field: 'admin',
        from: 'ready',
        to: 'drain',
        reason: 'set-state',
        status: 'DRAIN',
      },
    });
    expect(state.nodes[0]!.servers[0]).toMatchObject({
      server: 'db1',
      status: 'DRAIN',
      kind: 'drain',
      lastChangeSec: 0,
    });
    const weighted = reduce(state, {
      type: 'event',
      node: 0,
      event: {
        topic: 'server',
        time: 8,
        backend: 'mysql',
        server: 'db3',
        field: 'weight',
        from: '1',
        to: '7',
        reason: 'set-weight',
        status: 'UP',
      },
    });
    expect(weighted.nodes[0]!.servers[2]).toMatchObject({ weight: 7 });
    const checked = reduce(weighted, {
      type: 'event',
      node: 0,
      event: {
        topic: 'check',
        time: 9,
        backend: 'mysql',
        server: 'db3',
        from: 'UP',
        to: 'UP 1/3',
        reason: 'refused',
        source: 'check',
      },
    });
    expect(checked.nodes[0]!.servers[2]).toMatchObject({ status: 'UP 1/3', kind: 'going-down' });
  });
});

describe('topReducer: keys', () => {
  it('q quits 0 and Ctrl-C quits 130, in any mode', () => {
    expect(reduce(ready(), key('q')).exit).toBe(0);
    expect(reduce(ready(), key('/'), key('c', { ctrl: true })).exit).toBe(130);
  });

  it('Tab and digits switch views; ? opens help and any key closes it', () => {
    let state = reduce(ready(), key('', { tab: true }));
    expect(state.view).toBe('ports');
    state = reduce(state, key('', { tab: true, shift: true }), key('3'));
    expect(state.view).toBe('events');
    state = reduce(state, key('?'));
    expect(state.mode.kind).toBe('help');
    state = reduce(state, key('x'));
    expect(state.mode.kind).toBe('normal');
    expect(state.exit).toBeUndefined();
  });

  it('/ filters as it is typed; Enter keeps the filter, Esc drops it', () => {
    let state = reduce(ready(), key('/'), key('d'), key('b'), key('2'));
    expect(serverNames(state)).toEqual(['db2']);
    state = reduce(state, key('', { return: true }));
    expect(state.mode.kind).toBe('normal');
    expect(state.filter.servers).toBe('db2');
    state = reduce(state, key('/'), key('', { backspace: true }), key('', { escape: true }));
    expect(state.filter.servers).toBe('');
  });

  it('s sorts by the current column: largest first, then reversed, then the default order', () => {
    // Current column: move right from `server` to `state`, `check`, ... until `sess`.
    let state = ready();
    while (state.column.servers !== 'sessions') state = reduce(state, key('', { rightArrow: true }));
    state = reduce(state, key('s'));
    expect(serverNames(state)).toEqual(['db2', 'db1', 'db3']);
    state = reduce(state, key('s'));
    expect(serverNames(state)).toEqual(['db3', 'db1', 'db2']);
    state = reduce(state, key('s'));
    expect(serverNames(state)).toEqual(['db1', 'db2', 'db3']);
  });

  it('moves the selection over servers only, never onto a backend heading', () => {
    let state = reduce(ready(), key('j'), key('j'), key('j'));
    expect(state.selected.servers).toContain('db3');
    state = reduce(state, key('', { home: true }));
    expect(state.selected.servers).toContain('db1');
    state = reduce(state, key('G'));
    expect(state.selected.servers).toContain('db3');
  });

  it('drain asks for confirmation; y puts it in the outbox, anything else cancels', () => {
    let state = reduce(ready(), key('j'), key('d'));
    expect(state.mode).toMatchObject({
      kind: 'confirm',
      pending: { action: 'drain', target: { server: 'db2' } },
    });
    expect(state.outbox).toEqual([]);
    const cancelled = reduce(state, key('n'));
    expect(cancelled.outbox).toEqual([]);
    expect(cancelled.message?.text).toBe('cancelled');
    state = reduce(state, key('y'));
    expect(state.outbox).toMatchObject([
      { action: 'drain', target: { backend: 'mysql', server: 'db2', node: 0 } },
    ]);
    state = reduce(state, { type: 'actions-sent', ids: [state.outbox[0]!.id] });
    expect(state.outbox).toEqual([]);
    state = reduce(state, { type: 'action-result', id: 1, ok: true, text: 'mysql/db2: now DRAIN', time: 1 });
    expect(state.message).toMatchObject({ kind: 'ok', text: 'mysql/db2: now DRAIN' });
    expect(reduce(state, { type: 'tick', time: 2 + MESSAGE_TTL_MS }).message).toBeUndefined();
  });

  it('enable and ready run at once; weight prompts, checks the value, then asks', () => {
    expect(reduce(ready(), key('r')).outbox).toMatchObject([{ action: 'ready' }]);
    expect(reduce(ready(), key('e')).outbox).toMatchObject([{ action: 'enable' }]);
    let state = reduce(ready(), key('w'), key('3'), key('0'), key('0'), key('', { return: true }));
    expect(state.mode.kind).toBe('prompt');
    expect(state.message?.kind).toBe('error');
    state = reduce(
      state,
      key('', { backspace: true }),
      key('', { backspace: true }),
      key('', { return: true }),
    );
    expect(state.mode).toMatchObject({ kind: 'confirm', pending: { action: 'weight', value: '3' } });
    expect(reduce(state, key('y')).outbox).toMatchObject([{ action: 'weight', value: '3' }]);
  });

  it('a tick with nothing timed on screen keeps the same state, so nothing renders', () => {
    const state = ready();
    expect(reduce(state, { type: 'tick', time: 99_000 })).toBe(state);
    const away = reduce(state, { type: 'disconnected', node: 0, error: 'x', retryAt: 1, time: 1 });
    expect(reduce(away, { type: 'tick', time: 99_000 }).now).toBe(99_000);
  });

  it('--read-only removes every action key', () => {
    const state = reduce(
      ready({ readOnly: true }),
      key('d'),
      key('x'),
      key('e'),
      key('r'),
      key('w'),
      key('K'),
    );
    expect(state.mode.kind).toBe('normal');
    expect(state.outbox).toEqual([]);
  });

  it('refuses an action on a daemon that is not connected', () => {
    const state = reduce(
      ready(),
      { type: 'disconnected', node: 0, error: 'gone', retryAt: 1, time: 1 },
      key('r'),
    );
    expect(state.outbox).toEqual([]);
    expect(state.message).toMatchObject({ kind: 'error' });
  });

  it('says at once that a socket below level admin cannot act', () => {
    const state = reduce(
      ready(),
      { type: 'connected', node: 0, hello: helloResult(100, 'user'), time: 1 },
      key('d'),
    );
    expect(state.mode.kind).toBe('normal');
    expect(state.message?.text).toBe("lb-0: this connection's level is user; actions need admin");
  });

  it('with two daemons, acts on the node of the selected row', () => {
    const state = reduce(ready({ targets: ['/a.sock', '/b.sock'] }), key('j'), key('r'));
    // Rows pair up per server: db1 on lb-0, db1 on lb-1, db2 on lb-0...
    expect(state.outbox).toMatchObject([{ action: 'ready', target: { server: 'db1', node: 1 } }]);
  });

  it('pages and scrolls so the selection stays on screen', () => {
    const many = Array.from({ length: 60 }, (_, i) => statRow('big', `s${i}`, { sid: i + 1 }));
    let state = reduce(initialState({ targets: ['x'], now: 0, size: { columns: 80, rows: 24 } }), {
      type: 'stats',
      node: 0,
      snapshot: snapshot(1, many),
    });
    state = reduce(state, key('', { pageDown: true }), key('', { pageDown: true }));
    expect(state.scroll.servers).toBeGreaterThan(0);
    const rows = VIEW_SPECS.servers.rows(state);
    const index = rows.findIndex((r) => r.key === state.selected.servers);
    expect(index).toBeGreaterThanOrEqual(state.scroll.servers);
  });
});
