import { describe, expect, it } from 'vitest';
import { helloResult, portsReport, snapshot, statRow } from '../testing/top-fixtures.js';
import { headerLines } from './chrome.js';
import { UNICODE_GLYPHS } from './format.js';
import { portsUpdateFromReport } from './ports-from-daemon.js';
import { type TopAction, topReducer } from './reducer.js';
import { initialState } from './state.js';

/** The first header line's text on a terminal `columns` wide, with the daemon's ports report. */
function identity(columns: number, report = portsReport()): string {
  const actions: TopAction[] = [
    { type: 'connected', node: 0, hello: helloResult(), time: 0 },
    { type: 'stats', node: 0, snapshot: snapshot(10_000, [statRow('mysql', 'db1')]) },
    { type: 'ports', node: 0, report: portsUpdateFromReport(report) },
  ];
  const state = actions.reduce(
    topReducer,
    initialState({ targets: ['/x.sock'], now: 10_000, size: { columns, rows: 24 } }),
  );
  return headerLines(state, UNICODE_GLYPHS)[0]!
    .map((s) => s.text)
    .join('');
}

describe('the header port figures', () => {
  it('say TIME_WAIT and the tightest headroom with its pair when there is room', () => {
    expect(identity(160)).toBe(
      '● lb-a lbd 0.1.0 pid 4242 up 1h02m  conns 12/2000  new 5/s  TIME_WAIT 27K  headroom 5% 127.0.0.3→mysql/db1',
    );
  });

  it('drop detail rather than cut a figure on a narrow terminal', () => {
    const at = (columns: number) => identity(columns).slice(identity(columns).indexOf('new 5/s') + 9);
    expect(at(100)).toBe('TIME_WAIT 27K  headroom 5% 127.0.0.3→mysql/db1');
    expect(at(86)).toBe('TIME_WAIT 27K  headroom 5%');
    expect(at(80)).toBe('TW 27K  headroom 5%');
    expect(at(72)).toBe('headroom 5%');
    expect(at(60)).toBe('');
    for (const columns of [60, 72, 80, 86])
      expect([...identity(columns)].length).toBeLessThanOrEqual(columns);
  });
});
