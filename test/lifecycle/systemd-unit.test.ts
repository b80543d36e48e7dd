import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LBD_ENTRY } from '../support/lbd.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const UNIT = fileURLToPath(new URL('../../packages/daemon/systemd/lbd.service', import.meta.url));

afterAll(() => removeTempDirs());

function verify(path: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('systemd-analyze', ['verify', path], (error, _stdout, stderr) => {
      // A missing systemd-analyze fails the test: scripts/setup.sh installs it.
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(error);
      else resolve({ code: error === null ? 0 : Number(error.code), stderr });
    });
  });
}

/** `Key=value` settings of the unit, each key with every value it is given. */
async function settings(): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (const line of (await readFile(UNIT, 'utf8')).split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m !== null) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

describe('packages/daemon/systemd/lbd.service', () => {
  it('passes systemd-analyze verify without a single warning', async () => {
    // verify also checks that each Exec command exists: point them at this checkout's entries.
    const dir = await makeTempDir('systemd-unit');
    const unit = join(dir, 'lbd.service');
    await writeFile(unit, (await readFile(UNIT, 'utf8')).replaceAll('/usr/bin/lbd', LBD_ENTRY));
    const result = await verify(unit);
    // verify exits 0 on keys it ignores (a typo); only an empty stderr proves every line was understood.
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('is a notify service with the config check, reload and hardening operators rely on', async () => {
    const s = await settings();
    expect(s.get('Type')).toEqual(['notify']);
    expect(s.get('NotifyAccess')).toEqual(['all']);
    // systemd's own ${CONFIG}, not a JS placeholder.
    const check = '/usr/bin/lbd -c -f $' + '{CONFIG}';
    expect(s.get('ExecStartPre')).toEqual([check]);
    expect(s.get('ExecReload')).toEqual([check, '/bin/kill -HUP $MAINPID']);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['RuntimeDirectory', 'lbd'],
      ['StateDirectory', 'lbd'],
      ['AmbientCapabilities', 'CAP_NET_BIND_SERVICE'],
      ['LimitNOFILE', '1048576'],
      ['Restart', 'on-failure'],
    ] as const) {
      expect(s.get(key), key).toEqual([value]);
    }
  });
});
