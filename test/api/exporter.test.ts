import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { dedent } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor, REFUSED_PORT } from '../support/ports.js';
import { killChild, trackChild } from '../support/processes.js';
import { type StatRow, statsCommand, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { requireTool } from './external-tools.js';

/** prometheus-haproxy-exporter 0.14 (Debian) scraping lbd's stats socket, unchanged. */
const ports = portsFor('api-exporter');
const ECHO = ports.local(0);
const EXPORTER = ports.local(3);
const cleanup = createCleanup();
let admin: string;

/** The statuses the exporter maps to 1 (haproxy_exporter.go 0.14); everything else is 0. */
const UP_STATUSES = new Set(['UP', 'UP 1/3', 'UP 2/3', 'OPEN', 'no check', 'DRAIN']);

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  const dir = await makeTempDir('api-exporter');
  admin = join(dir, 'admin.sock');
  const config = dedent(`
    global
      stats socket ${admin} level admin
    defaults
      mode tcp
      timeout connect 2s
      timeout client 30s
      timeout server 30s
    listen mysql_proxy
      bind 127.0.0.1:${ports.local(1)}
      server db1 127.0.0.1:${ECHO} check inter 300
      server db2 127.0.0.1:${REFUSED_PORT} check inter 300
      server db3 127.0.0.1:${ECHO}
      server db4 127.0.0.1:${ECHO} check inter 300
    frontend my-tcp-in
      bind 127.0.0.1:${ports.local(2)}
      default_backend my-servers
    backend my-servers
      balance leastconn
      server server1 127.0.0.1:${ECHO} check inter 300
      server server2 127.0.0.1:${ECHO} backup
  `);
  cleanup.add(await startLbd(`${config}\n`, { dir, name: 'api-exporter' }), (l) => l.stop());
  expect(await statsCommand(admin, 'disable server mysql_proxy/db4')).toBe('\n');
  expect(await statsCommand(admin, 'set server my-servers/server2 state drain')).toBe('\n');
  // Checks settle: db2 DOWN, the checked ones fully UP.
  await waitForStat(
    admin,
    (rows) =>
      rows.some((r) => r.svname === 'db2' && r.status === 'DOWN') &&
      rows.filter((r) => ['db1', 'server1'].includes(r.svname ?? '')).every((r) => r.status === 'UP'),
  );
  const binary = await requireTool('prometheus-haproxy-exporter');
  const child = trackChild(
    spawn(binary, [`--haproxy.scrape-uri=unix:${admin}`, `--web.listen-address=127.0.0.1:${EXPORTER}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  cleanup.add(child, (c) => killChild(c));
});
afterAll(() => cleanup.run());

async function scrape(): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${EXPORTER}/metrics`, {
        signal: AbortSignal.timeout(8000),
      });
      if (response.ok) return await response.text();
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('the exporter did not serve /metrics within 15 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function metric(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('prometheus-haproxy-exporter 0.14 against lbd', () => {
  it('haproxy_up 1, one haproxy_server_up per server with the right value, no CSV parse failure', async () => {
    const text = await scrape();
    const rows: StatRow[] = (await statsCommand(admin, 'show stat'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const f = l.split(',');
        return { pxname: f[0]!, svname: f[1]!, status: f[17]!, type: f[32]! };
      });
    expect(metric(text, 'haproxy_up')).toBe(1);
    expect(metric(text, 'haproxy_exporter_csv_parse_failures_total')).toBe(0);
    expect(text).toMatch(/^haproxy_version_info\{release_date="[^"]+",version="[^"]+"\} 1$/m);
    const servers = rows.filter((r) => r.type === '2');
    expect(servers).toHaveLength(6);
    const series = text.split('\n').filter((l) => l.startsWith('haproxy_server_up{'));
    expect(series).toHaveLength(servers.length);
    for (const r of servers) {
      const value = metric(text, 'haproxy_server_up', `{backend="${r.pxname}",server="${r.svname}"}`);
      expect({ server: r.svname, status: r.status, value }).toEqual({
        server: r.svname,
        status: r.status,
        value: UP_STATUSES.has(r.status ?? '') ? 1 : 0,
      });
    }
    expect(metric(text, 'haproxy_server_up', '{backend="mysql_proxy",server="db2"}')).toBe(0);
    expect(metric(text, 'haproxy_server_up', '{backend="mysql_proxy",server="db4"}')).toBe(0);
    expect(metric(text, 'haproxy_server_up', '{backend="mysql_proxy",server="db1"}')).toBe(1);
    expect(metric(text, 'haproxy_backend_up', '{backend="my-servers"}')).toBe(1);
    expect(metric(text, 'haproxy_frontend_current_sessions', '{frontend="my-tcp-in"}')).toBe(0);
    // As many metric lines as against HAProxy itself for this layout: every column the exporter reads is filled.
    expect(
      series.length + text.split('\n').filter((l) => l.startsWith('haproxy_frontend_')).length,
    ).toBeGreaterThan(30);
  });

  it('a second scrape reflects an admin change', async () => {
    expect(await statsCommand(admin, 'enable server mysql_proxy/db4')).toBe('\n');
    await waitForStat(admin, (rows) => rows.some((r) => r.svname === 'db4' && r.status === 'UP'));
    const text = await scrape();
    expect(metric(text, 'haproxy_server_up', '{backend="mysql_proxy",server="db4"}')).toBe(1);
    expect(metric(text, 'haproxy_exporter_csv_parse_failures_total')).toBe(0);
  });
});
