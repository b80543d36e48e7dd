import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, it } from 'vitest';
import { renderInk } from '../testing/ink.js';
import { helloResult, manyRows, snapshot, statRow } from '../testing/top-fixtures.js';
import { Frame } from './Frame.js';
import { ASCII_GLYPHS, UNICODE_GLYPHS } from './format.js';
import { KEY_BINDINGS } from './keys.js';
import { type TopAction, topReducer } from './reducer.js';
import { initialState, type TopState } from './state.js';

function build(
  size: { columns: number; rows: number },
  actions: TopAction[],
  targets = ['/run/lbd/admin.sock'],
): TopState {
  return actions.reduce(topReducer, initialState({ targets, now: 10_000, size }));
}

function connected(node: number, rows = manyRows(12, 6)): TopAction[] {
  return [
    { type: 'connected', node, hello: helloResult(4242 + node), time: 0 },
    { type: 'stats', node, snapshot: snapshot(9_000, rows, { node: `lb-${node}`, Pid: 4242 + node }) },
    { type: 'stats', node, snapshot: snapshot(10_000, rows, { node: `lb-${node}`, Pid: 4242 + node }) },
  ];
}

/** The frame as the terminal shows it: lines without escapes. */
function text(
  state: TopState,
  mode: 'interactive' | 'once' = 'interactive',
  glyphs = UNICODE_GLYPHS,
): string[] {
  const out = renderToString(<Frame state={state} glyphs={glyphs} mode={mode} />, {
    columns: state.size.columns,
  });
  return stripVTControlCharacters(out).split('\n');
}

function assertFits(lines: string[], size: { columns: number; rows: number }): void {
  expect(lines).toHaveLength(size.rows);
  for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(size.columns);
}

describe('Frame', () => {
  it('fills an 80x24 terminal exactly: header, the servers grouped by backend, status and keys', () => {
    const size = { columns: 80, rows: 24 };
    const lines = text(build(size, connected(0)), 'interactive');
    assertFits(lines, size);
    expect(lines[0]).toBe('● lb-0 lbd 0.1.0 pid 4242 up 1h02m  conns 12/2000  new 5/s  no port data yet');
    expect(lines[1]).toContain('pool0 5▲1▼');
    expect(lines.some((l) => /^pool1 +\d+ up/.test(l))).toBe(true);
    expect(lines.find((l) => l.startsWith('srv0 '))).toMatch(/srv0 +DOWN +L4OK 1ms/);
    expect(lines.at(-1)).toMatch(/^\? help q quit Tab view/);
  });

  it('shows more columns on 200x50 (load bar, sparkline, errors, address) and still fits', () => {
    const size = { columns: 200, rows: 50 };
    const lines = text(build(size, connected(0)));
    assertFits(lines, size);
    const header = lines.find((l) => l.startsWith('server'))!;
    for (const h of ['load', 'smax', 'last minute', 'econ/retr/redis', 'TW', 'ports', 'address'])
      expect(header).toContain(h);
    expect(header).not.toContain('node');
    const narrow = text(build({ columns: 80, rows: 24 }, connected(0))).find((l) => l.startsWith('server'))!;
    expect(narrow).not.toContain('address');
  });

  it('shows transitions with their direction and progress', () => {
    const rows = [
      statRow('b', 'rising', { sid: 1, status: 'DOWN 1/2' }),
      statRow('b', 'falling', { sid: 2, status: 'UP 2/3' }),
      statRow('b', 'drained', { sid: 3, status: 'DRAIN' }),
      statRow('b', 'maint', { sid: 4, status: 'MAINT' }),
    ];
    const lines = text(build({ columns: 100, rows: 20 }, connected(0, rows)));
    expect(lines.find((l) => l.startsWith('rising'))).toContain('DOWN ↑1/2');
    expect(lines.find((l) => l.startsWith('falling'))).toContain('UP ↓2/3');
    expect(lines.find((l) => l.startsWith('drained'))).toContain('DRAIN');
    const ascii = text(build({ columns: 100, rows: 20 }, connected(0, rows)), 'interactive', ASCII_GLYPHS);
    expect(ascii.find((l) => l.startsWith('rising'))).toContain('DOWN ^1/2');
  });

  it('with two daemons, adds a node column and a header per daemon, and a banner for the one that is down', () => {
    const state = build(
      { columns: 80, rows: 24 },
      [
        ...connected(0),
        ...connected(1),
        { type: 'disconnected', node: 1, error: 'connection refused', retryAt: 12_000, time: 10_000 },
      ],
      ['/a.sock', '/b.sock'],
    );
    const lines = text(state);
    assertFits(lines, { columns: 80, rows: 24 });
    expect(lines[0]).toContain('lb-0');
    expect(lines[2]).toContain('lb-1');
    expect(
      lines.some((l) => l.includes('DISCONNECTED lb-1 for 0s: connection refused; retrying in 2s')),
    ).toBe(true);
    expect(lines.find((l) => l.startsWith('node'))).toMatch(/^node +server +state/);
    expect(lines.some((l) => /^lb-0 +srv0 /.test(l))).toBe(true);
    expect(lines.some((l) => /^lb-1 +srv0 /.test(l))).toBe(true);
  });

  it('says "no port data yet" in the ports view until the daemon reports ports, then lists the pairs', () => {
    const size = { columns: 120, rows: 24 };
    const empty = text(build(size, [...connected(0), { type: 'key', key: { input: '2' } }]));
    expect(empty.some((l) => l.includes('no port data yet'))).toBe(true);
    const withPorts = build(size, [
      ...connected(0),
      {
        type: 'ports',
        node: 0,
        report: {
          time: 10_000,
          complete: true,
          timeWaitTotal: 5400,
          kernel: {
            portRange: { low: 50000, high: 60000 },
            tcpTwReuse: 0,
            tcpFinTimeoutS: 60,
            tcpMaxTwBuckets: 262144,
          },
          pairs: [
            {
              source: '127.0.0.2',
              destination: '10.0.0.1:3306',
              established: 40,
              timeWait: 5000,
              other: 2,
              used: 9100,
              range: 10001,
              newPerSec: 90,
            },
          ],
        },
      },
      { type: 'key', key: { input: '2' } },
    ]);
    const lines = text(withPorts);
    assertFits(lines, size);
    expect(lines[0]).toMatch(/TIME_WAIT 5\.4K +headroom 9%/);
    expect(lines.some((l) => l.includes('ip_local_port_range 50000-60000 (10001 ports)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('! tcp_tw_reuse: off'))).toBe(true);
    expect(lines.find((l) => l.startsWith('127.0.0.2'))).toMatch(
      /127\.0\.0\.2 +pool0\/srv1 +10\.0\.0\.1:3306 +40 +5\.0K +2 +9\.1K\/10K +9% +90 +-$/,
    );
  });

  it('draws the help from the key table, every key on an 80x24 screen', () => {
    const lines = text(
      build({ columns: 80, rows: 24 }, [...connected(0), { type: 'key', key: { input: '?' } }]),
    );
    for (const b of KEY_BINDINGS)
      expect(
        lines.some((l) => l.trimStart().startsWith(b.keys)),
        b.keys,
      ).toBe(true);
  });

  it('--once prints every row and no keys', () => {
    const lines = text(build({ columns: 120, rows: 10 }, connected(0, manyRows(40, 10))), 'once');
    expect(lines.filter((l) => /^srv\d+ /.test(l))).toHaveLength(40);
    expect(lines.some((l) => l.includes('q quit'))).toBe(false);
  });

  it('renders through Ink as the same lines', async () => {
    const state = build({ columns: 80, rows: 24 }, connected(0));
    const ink = await renderInk(<Frame state={state} glyphs={UNICODE_GLYPHS} mode="interactive" />);
    expect(stripVTControlCharacters(await ink.frame()).split('\n')).toEqual(text(state));
    ink.unmount();
  });
});
