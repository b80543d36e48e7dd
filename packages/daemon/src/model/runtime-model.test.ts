import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import type { Config } from '../config/types.js';
import { RuntimeModel } from './runtime-model.js';

function config(servers: string): Config {
  const text = `defaults\n  mode tcp\n\nlisten app\n  bind 127.0.0.1:1\n${servers}\n`;
  const result = parseConfig([{ path: 'reload.cfg', text }], { env: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

describe('RuntimeModel.reconfigure (reload)', () => {
  it('keeps unchanged servers as they are, renews changed ones with the admin state, adds and removes', () => {
    const model = new RuntimeModel(
      config('  server a 10.0.0.1:1\n  server b 10.0.0.2:1\n  server c 10.0.0.3:1\n  server d 10.0.0.4:1'),
    );
    const a = model.findServer('app', 'a')!;
    a.setAdmin('drain', 'test');
    a.setWeight(7, 'test');
    model.findServer('app', 'b')!.setAdmin('maint', 'test');
    model.findServer('app', 'c')!.setHealth('down', 'test');

    // A comment line shifts every server's line number: that is no change.
    const changes = model.reconfigure(
      config(
        '  # moved\n  server a 10.0.0.1:1\n  server b 10.0.0.2:1 weight 5\n  server c 10.0.0.9:1\n  server e 10.0.0.5:1',
      ),
    );

    expect(changes).toEqual({
      addedServers: ['app/e'],
      removedServers: ['app/d'],
      changedServers: ['app/b', 'app/c'],
      keptServers: 1,
    });
    expect(model.findServer('app', 'a')).toBe(a);
    expect(a.admin).toBe('drain');
    expect(a.weight).toBe(7);
    const b = model.findServer('app', 'b')!;
    expect(b.admin).toBe('maint');
    expect(b.weight).toBe(5);
    // c moved to another address: its old health says nothing about the new one.
    expect(model.findServer('app', 'c')!.health).toBe('up');
    expect(model.findServer('app', 'd')).toBeUndefined();
    expect(model.findServer('app', 'e')!.admin).toBe('ready');
  });

  it('lets `disabled` written in the file win over the saved admin state', () => {
    const model = new RuntimeModel(config('  server a 10.0.0.1:1'));
    model.findServer('app', 'a')!.setAdmin('drain', 'test');
    model.reconfigure(config('  server a 10.0.0.1:1 disabled'));
    expect(model.findServer('app', 'a')!.admin).toBe('maint');
  });
});
