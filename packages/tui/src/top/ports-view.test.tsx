import { stripVTControlCharacters } from 'node:util';
import type { LbClient } from '@lbctl/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InkHarness, renderInk } from '../testing/ink.js';
import { FakeClient, portsPair, portsReport, statRow } from '../testing/top-fixtures.js';
import { App } from './App.js';
import { UNICODE_GLYPHS } from './format.js';
import { createLiveSource } from './live-source.js';
import { initialState } from './state.js';

let ink: InkHarness | undefined;
// Unmounting stops the source (the dashboard's effect cleanup).
afterEach(() => {
  ink?.unmount();
  ink = undefined;
});

/** The dashboard on a live source whose daemon pushes one snapshot and the ports report. */
async function dashboard(client: FakeClient, columns = 100) {
  const source = createLiveSource({
    targets: [{ path: '/x.sock' }],
    connect: async () => client as unknown as LbClient,
  });
  ink = await renderInk(
    <App
      source={source}
      initial={initialState({ targets: ['/x.sock'], now: 10_000 })}
      glyphs={UNICODE_GLYPHS}
      now={() => 10_000}
      onExit={() => {}}
      size={{ columns, rows: 16 }}
    />,
  );
  return ink;
}

/** The screen's lines once `predicate` holds (the pushes arrive over a few turns). */
async function screenWhen(predicate: (lines: string[]) => boolean): Promise<string[]> {
  let lines: string[] = [];
  for (let i = 0; i < 50; i++) {
    lines = stripVTControlCharacters(await ink!.frame()).split('\n');
    if (predicate(lines)) return lines;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`the screen never matched; it shows:\n${lines.join('\n')}`);
}

describe('the ports view on the live ports report', () => {
  it('lists every source/server pair, tightest first, under the kernel settings, with the header figures', async () => {
    const client = new FakeClient(7, { autoStats: 1, rows: [statRow('mysql', 'db1')], ports: portsReport() });
    await dashboard(client);
    await screenWhen((l) => l[0]!.includes('TIME_WAIT'));
    await ink!.press('2');
    const lines = await screenWhen((l) => l.some((x) => x.startsWith('127.0.0.3')));
    // Header: the host's TIME_WAIT and the tightest pair's headroom.
    expect(lines[0]).toMatch(/TIME_WAIT 27K +headroom 5% 127\.0\.0\.3→mysql\//);
    expect(lines[3]).toMatch(/^kernel ip_local_port_range 32768-60999 \(28232 ports\) +tcp_tw_reuse 0 /);
    expect(lines[4]).toBe(
      '! tcp_tw_reuse: off: ports in TIME_WAIT are not reused for new connections (set 1)',
    );
    expect(lines[5]).toMatch(/^source +server +ESTAB +TIME_W +other +used\/range +free +new\/s +full in$/);
    // ESTABLISHED / TIME_WAIT / other, used of the range, headroom, new/s, the daemon's projection.
    expect(lines[6]).toMatch(/^127\.0\.0\.3 +mysql\/db1 +200 +27K +20 +27K\/28K +5% +450 +1m30s$/);
    expect(lines[7]).toMatch(/^127\.0\.0\.2 +mysql\/db1 +100 +20 +0 +120\/28K +100% +1 +-$/);
  });

  it('follows each new report: pairs change and vanish with it', async () => {
    const client = new FakeClient(7, { autoStats: 1, rows: [statRow('mysql', 'db1')], ports: portsReport() });
    await dashboard(client);
    await ink!.press('2');
    await screenWhen((l) => l.some((x) => x.startsWith('127.0.0.3')));
    const next = {
      ...portsReport(15_000),
      pairs: [
        portsPair('127.0.0.2', { inUse: 3, headroom: 28229, headroomPct: 100, states: { ESTABLISHED: 3 } }),
      ],
    };
    client.push({ subscription: 1, topic: 'ports-report', data: { topic: 'ports-report', ...next } });
    const lines = await screenWhen((l) => !l.some((x) => x.startsWith('127.0.0.3')));
    expect(lines.find((l) => l.startsWith('127.0.0.2'))).toMatch(
      /^127\.0\.0\.2 +mysql\/db1 +3 +0 +0 +3\/28K +100%/,
    );
  });

  it("shows each server's TIME_WAIT and ports in the servers view of a wide terminal", async () => {
    const client = new FakeClient(7, { autoStats: 1, rows: [statRow('mysql', 'db1')], ports: portsReport() });
    await dashboard(client, 200);
    const lines = await screenWhen((l) => l.some((x) => x.startsWith('db1') && x.includes('27K/28K')));
    // TIME_WAIT over both source addresses, then the ports of the busiest one.
    expect(lines.find((l) => l.startsWith('server'))).toMatch(/ TW +ports /);
    expect(lines.find((l) => l.startsWith('db1'))).toMatch(/ 27K +27K\/28K /);
  });
});
