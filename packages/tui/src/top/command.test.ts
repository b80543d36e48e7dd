import type { LbClient } from '@lbctl/protocol';
import { describe, expect, it } from 'vitest';
import type { CliDeps } from '../cli/deps.js';
import { runCli } from '../cli/program.js';
import { DaemonUnreachableError } from '../errors.js';
import { FakeClient, portsReport, statRow } from '../testing/top-fixtures.js';

/** A stream that keeps what is written; not a terminal unless said. */
class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

const ROWS = [
  statRow('mysql', 'db1', { sid: 1, bin: 0 }),
  statRow('mysql', 'db2', { sid: 2, status: 'DOWN 1/2' }),
];

function deps(connect: CliDeps['connect'], stdout = new Capture()) {
  const stderr = new Capture();
  const d: CliDeps = { stdout, stderr, env: { LANG: 'C.UTF-8' }, now: () => 5000, connect };
  return { deps: d, stdout, stderr };
}

const reachable = (node = 'lb-a'): CliDeps['connect'] =>
  (async () =>
    new FakeClient(10, { autoStats: 2, rows: ROWS, node }) as unknown as LbClient) as CliDeps['connect'];

describe('lbctl top without a terminal', () => {
  it('prints one frame and exits 0 when stdout is not a terminal (the non-interactive twin)', async () => {
    const t = deps(reachable());
    expect(await runCli(['--socket', '/x.sock', 'top'], t.deps)).toBe(0);
    expect(t.stdout.text).toContain('● lb-a lbd 0.1.0 pid 10');
    expect(t.stdout.text).toMatch(/db2 +DOWN ↑1\/2/);
    expect(t.stdout.text).not.toContain('\u001b[');
    expect(t.stdout.text).not.toContain('q quit');
  });

  it('--once --json prints the frame as data', async () => {
    const t = deps(reachable());
    expect(await runCli(['--socket', '/x.sock', 'top', '--once', '--json'], t.deps)).toBe(0);
    const report = JSON.parse(t.stdout.text);
    expect(report.nodes).toMatchObject([
      { target: '/x.sock', name: 'lb-a', connected: true, pid: 10, ports: null },
    ]);
    expect(report.servers.map((s: { server: string; state: string }) => `${s.server}:${s.state}`)).toEqual([
      'db1:up',
      'db2:going-up',
    ]);
  });

  it('--once reads the ports report too: the ports view and --json show its pairs', async () => {
    const withPorts: CliDeps['connect'] = (async () =>
      new FakeClient(10, {
        autoStats: 2,
        rows: ROWS,
        ports: portsReport(),
      }) as unknown as LbClient) as CliDeps['connect'];
    const view = deps(withPorts);
    expect(
      await runCli(['--socket', '/x.sock', 'top', '--once', '--view', 'ports', '--width', '100'], view.deps),
    ).toBe(0);
    expect(view.stdout.text).toMatch(/TIME_WAIT 27K +headroom 5%/);
    expect(view.stdout.text).toMatch(/^127\.0\.0\.3 +mysql\/db1 +200 +27K +20 +27K\/28K +5% +450 +1m30s$/m);
    const json = deps(withPorts);
    expect(await runCli(['--socket', '/x.sock', 'top', '--once', '--json'], json.deps)).toBe(0);
    const ports = JSON.parse(json.stdout.text).nodes[0].ports;
    expect(ports.timeWaitTotal).toBe(26_700);
    expect(ports.pairs.map((p: { source: string; used: number }) => `${p.source}:${p.used}`)).toEqual([
      '127.0.0.2:120',
      '127.0.0.3:26900',
    ]);
  });

  it('exits 3 when no daemon answers, and shows the other daemon when one of two is down', async () => {
    const down = deps(async () => {
      throw new DaemonUnreachableError('cannot reach lbd at /x.sock: no such socket');
    });
    expect(await runCli(['--socket', '/x.sock', 'top', '--once'], down.deps)).toBe(3);
    expect(down.stderr.text).toContain('cannot reach lbd at /x.sock: no such socket');

    const half = deps((async (target: { path?: string }) => {
      if (target.path === '/b.sock')
        throw new DaemonUnreachableError('cannot reach lbd at /b.sock: connection refused');
      return new FakeClient(10, { autoStats: 2, rows: ROWS }) as unknown as LbClient;
    }) as CliDeps['connect']);
    expect(
      await runCli(
        ['--socket', '/a.sock', '--socket', '/b.sock', 'top', '--once', '--width', '100'],
        half.deps,
      ),
    ).toBe(0);
    expect(half.stdout.text).toContain('DISCONNECTED /b.sock');
    expect(half.stdout.text).toMatch(/^lb-a +db1 +UP/m);
    expect(half.stderr.text).toContain('connection refused');
  });

  it('refuses a bad interval, view or width as a usage error (exit 2)', async () => {
    for (const args of [
      ['top', '--interval', '10ms'],
      ['top', '--view', 'nope'],
      ['top', '--once', '--width', '5'],
    ]) {
      const t = deps(reachable());
      expect(await runCli(args, t.deps), args.join(' ')).toBe(2);
    }
  });
});
