import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from './cleanup.js';
import { dedent } from './lbd-config.js';
import { portsFor } from './ports.js';
import { stopChild, trackChild } from './processes.js';
import { parseStatCsv, type StatRow, showStat, statNumber, statRow } from './stats.js';
import { makeTempDir, removeTempDirs } from './tmp.js';

// showStat against the reference: HAProxy 2.6's own stats socket. If lbd's
// output ever differs, the data-plane tests fail on lbd, not on this parser.
const ports = portsFor('support-stats');
const cleanup = createCleanup();
let socketPath: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  const dir = await makeTempDir('stats');
  socketPath = join(dir, 'haproxy.sock');
  const config = join(dir, 'haproxy.cfg');
  await writeFile(
    config,
    `${dedent(`
      global
        stats socket ${socketPath} level admin
      defaults
        mode tcp
        timeout connect 1s
        timeout client 5s
        timeout server 5s
      listen mysql
        bind 127.0.0.1:${ports.local(0)}
        server db1 127.0.0.1:${ports.local(1)} weight 3 maxconn 2
        server db2 127.0.0.1:${ports.local(2)} backup
    `)}\n`,
  );
  const haproxy = trackChild(
    spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  cleanup.add(haproxy, (c) => stopChild(c));
  let stderr = '';
  haproxy.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  // No readiness event from haproxy -db: poll its socket, bounded.
  const deadline = performance.now() + 10_000;
  for (;;) {
    try {
      await showStat(socketPath);
      return;
    } catch (err) {
      if (haproxy.exitCode !== null) throw new Error(`haproxy exited ${haproxy.exitCode}: ${stderr}`);
      if (performance.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
afterAll(() => cleanup.run());

describe('show stat parsing', () => {
  it("reads HAProxy 2.6's CSV by column name", async () => {
    const rows: StatRow[] = await showStat(socketPath);
    expect(rows.map((r) => `${r.pxname}/${r.svname}`)).toEqual([
      'mysql/FRONTEND',
      'mysql/db1',
      'mysql/db2',
      'mysql/BACKEND',
    ]);
    const db1 = statRow(rows, 'mysql', 'db1');
    expect(statNumber(db1, 'weight')).toBe(3);
    expect(statNumber(db1, 'slim')).toBe(2);
    expect(statNumber(db1, 'qcur')).toBe(0);
    expect(statNumber(statRow(rows, 'mysql', 'db2'), 'bck')).toBe(1);
    expect(statRow(rows, 'mysql', 'FRONTEND').status).toBe('OPEN');
    expect(() => statRow(rows, 'mysql', 'db9')).toThrow(/no row mysql\/db9/);
  });

  it('rejects text without the # header', () => {
    expect(() => parseStatCsv('mysql,db1,0\n')).toThrow(/header/);
  });
});
