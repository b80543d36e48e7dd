import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LbEvent } from '@lbctl/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config/types.js';
import { Reloader } from './reload.js';
import { SdNotifier } from './sd-notify.js';

const log = pino({ level: 'silent' });
const VALID = 'defaults\n  mode tcp\n\nlisten app\n  bind 127.0.0.1:1\n  server a 127.0.0.1:2\n';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbd-reload-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function setup(file: string, apply: (config: Config) => Promise<string>) {
  const events: LbEvent[] = [];
  const sent: string[] = [];
  const notifier = new SdNotifier({
    socket: '/run/test',
    log,
    send: async (a) => {
      sent.push(a[0]!);
    },
  });
  const reloader = new Reloader({
    paths: [file],
    apply,
    publish: (e) => events.push(e),
    notifier,
    status: () => 'ok',
    log,
  });
  return { reloader, events, sent };
}

describe('Reloader', () => {
  it('refuses a file with errors, FILE:LINE each, without applying anything', async () => {
    const file = join(dir, 'bad.cfg');
    await writeFile(file, `${VALID}  balanse roundrobin\n`);
    let applied = 0;
    const { reloader, events, sent } = setup(file, async () => `${++applied}`);
    const result = await reloader.reload('test');
    expect(result.applied).toBe(false);
    expect(result.errors?.[0]).toMatch(new RegExp(`^${file}:7: `));
    expect(applied).toBe(0);
    expect(events.map((e) => (e.topic === 'reload' ? e.phase : ''))).toEqual(['started', 'failed']);
    // systemd leaves "reloading" either way: lbd still serves.
    expect(sent).toEqual(['RELOADING=1', 'READY=1']);
  });

  it('applies a valid file, and runs concurrent requests one after the other', async () => {
    const file = join(dir, 'good.cfg');
    await writeFile(file, VALID);
    let running = 0;
    let overlap = false;
    const { reloader, events } = setup(file, async (config) => {
      overlap ||= running > 0;
      running++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return `${config.proxies.length} proxies`;
    });
    const [a, b] = await Promise.all([reloader.reload('one'), reloader.reload('two')]);
    expect(overlap).toBe(false);
    expect(a).toMatchObject({ applied: true, summary: '1 proxies', files: [file] });
    expect(b.applied).toBe(true);
    expect(events.map((e) => (e.topic === 'reload' ? e.phase : ''))).toEqual([
      'started',
      'done',
      'started',
      'done',
    ]);
  });

  it('reports a failure while applying (a bind in use) as a refusal', async () => {
    const file = join(dir, 'inuse.cfg');
    await writeFile(file, VALID);
    const { reloader } = setup(file, async () => {
      throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:1');
    });
    expect(await reloader.reload('test')).toMatchObject({
      applied: false,
      errors: ['listen EADDRINUSE: address already in use 127.0.0.1:1'],
    });
  });
});
