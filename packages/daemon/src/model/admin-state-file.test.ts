import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parser.js';
import { AdminStateFile } from './admin-state-file.js';
import { RuntimeModel } from './runtime-model.js';

function model(servers: string): RuntimeModel {
  const text = `backend pool\n  mode tcp\n${servers}`;
  const result = parseConfig([{ path: 'test.cfg', text }], { env: {} });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return new RuntimeModel(result.config);
}

const SERVERS =
  '  server a 10.0.0.1:1 check\n  server b 10.0.0.2:1 weight 5\n  server c 10.0.0.3:1 disabled\n';
const log = pino({ level: 'silent' });

describe('AdminStateFile', () => {
  let dir = '';
  let path = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lbd-state-'));
    path = join(dir, 'state.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('saves only what operators changed, and restores it into a fresh model', async () => {
    const before = model(SERVERS);
    before.findServer('pool', 'a')!.setAdmin('drain', 'test');
    before.findServer('pool', 'a')!.check.enabled = false;
    before.findServer('pool', 'b')!.setWeight(2, 'test');
    before.findServer('pool', 'c')!.setAdmin('ready', 'test');
    await new AdminStateFile(path, log).save(before);
    const saved = JSON.parse(await readFile(path, 'utf8')) as { servers: { server: string }[] };
    expect(saved.servers.map((s) => s.server)).toEqual(['a', 'b', 'c']);
    expect(await readdir(dir)).toEqual(['state.json']);

    const after = model(SERVERS);
    const report = await new AdminStateFile(path, log).restore(after);
    expect(report).toEqual({ restored: 3, dropped: [] });
    expect(after.findServer('pool', 'a')!.admin).toBe('drain');
    expect(after.findServer('pool', 'a')!.check.enabled).toBe(false);
    expect(after.findServer('pool', 'b')!.weight).toBe(2);
    expect(after.findServer('pool', 'c')!.admin).toBe('ready');
  });

  it('drops servers that left the configuration and rewrites the file without them', async () => {
    const before = model(SERVERS);
    before.findServer('pool', 'a')!.setAdmin('maint', 'test');
    before.findServer('pool', 'b')!.setAdmin('maint', 'test');
    await new AdminStateFile(path, log).save(before);
    const after = model('  server a 10.0.0.1:1 check\n');
    expect(await new AdminStateFile(path, log).restore(after)).toEqual({ restored: 1, dropped: ['pool/b'] });
    const saved = JSON.parse(await readFile(path, 'utf8')) as { servers: { server: string }[] };
    expect(saved.servers.map((s) => s.server)).toEqual(['a']);
  });

  it('merges saves asked for while one waits, and each resolves once its change is on disk', async () => {
    const m = model(SERVERS);
    const file = new AdminStateFile(path, log);
    const server = m.findServer('pool', 'b')!;
    const saves: Promise<void>[] = [];
    for (let w = 1; w <= 4; w++) {
      server.setWeight(w, 'test');
      saves.push(file.save(m));
    }
    await Promise.all(saves);
    const saved = JSON.parse(await readFile(path, 'utf8')) as { servers: { weight: number }[] };
    expect(saved.servers[0]!.weight).toBe(4);
  });

  it('ignores a missing or corrupt file', async () => {
    expect(await new AdminStateFile(path, log).restore(model(SERVERS))).toEqual({ restored: 0, dropped: [] });
    await writeFile(path, 'not json');
    expect(await new AdminStateFile(path, log).restore(model(SERVERS))).toEqual({ restored: 0, dropped: [] });
  });

  it('fails with LB_ERR_STATE_FILE when the directory is gone', async () => {
    const file = new AdminStateFile(join(dir, 'missing', 'state.json'), log);
    await expect(file.save(model(SERVERS))).rejects.toMatchObject({ code: 'LB_ERR_STATE_FILE' });
  });
});
