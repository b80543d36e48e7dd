import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { startEchoServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { type Notification, NotifyReceiver } from './notify-receiver.js';

const ports = portsFor('lifecycle-sd-notify');
const LB = ports.local(0);
const ECHO = ports.local(1);
const cleanup = createCleanup();
let dir: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  dir = await makeTempDir('sd-notify');
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
});
afterAll(() => cleanup.run());

/** The lifecycle messages, without systemd-notify's own BARRIER=1 and the periodic STATUS-only lines. */
function lifecycle(notifications: readonly Notification[]): string[] {
  return notifications
    .map((n) => n.fields)
    .filter((f) => f.BARRIER === undefined)
    .map((f) => ['READY', 'RELOADING', 'STOPPING'].filter((k) => f[k] === '1').join('+'))
    .filter((kind) => kind !== '');
}

describe('sd_notify through a real NOTIFY_SOCKET', () => {
  it('sends READY, STATUS, RELOADING (with MONOTONIC_USEC) then READY, and STOPPING, in that order', async () => {
    const receiver = cleanup.add(await NotifyReceiver.start(join(dir, 'notify.sock')), (r) => r.stop());
    process.env.NOTIFY_SOCKET = receiver.path;
    const lbd = await startLbd(
      lbdConfig(
        { statsSocket: join(dir, 'stats.sock') },
        `
      listen echo
        bind 127.0.0.1:${LB}
        server echo 127.0.0.1:${ECHO}
      `,
      ),
      { name: 'sd-notify', dir, args: ['--status-interval', '200'] },
    ).finally(() => {
      delete process.env.NOTIFY_SOCKET;
    });
    cleanup.add(lbd, (l) => l.stop());

    const ready = await receiver.waitFor((n) => n.fields.READY === '1');
    expect(ready.fields.STATUS).toMatch(/0 active sessions; 1 frontends; 1\/1 servers taking traffic/);
    // MAINPID tells systemd whose message this is when systemd-notify speaks for lbd.
    expect(ready.fields.MAINPID).toBe(String(lbd.pid));
    // The periodic STATUS= refresh, on its own.
    await receiver.waitFor((n) => n.fields.STATUS !== undefined && n.fields.READY === undefined, 0, 5000);

    const beforeHup = process.hrtime.bigint();
    const mark = receiver.notifications.length;
    process.kill(lbd.pid!, 'SIGHUP');
    const reloading = await receiver.waitFor((n) => n.fields.RELOADING === '1', mark);
    const usec = BigInt(reloading.fields.MONOTONIC_USEC ?? '0');
    // Same clock as the test's hrtime (CLOCK_MONOTONIC): between the signal and its receipt.
    expect(usec * 1000n).toBeGreaterThanOrEqual(beforeHup - 1000n);
    expect(usec * 1000n).toBeLessThanOrEqual(reloading.receivedAt);
    await receiver.waitFor((n) => n.fields.READY === '1', receiver.notifications.indexOf(reloading));

    const exit = await lbd.stop();
    expect(exit.code).toBe(0);
    await receiver.waitFor((n) => n.fields.STOPPING === '1');
    expect(lifecycle(receiver.notifications)).toEqual(['READY', 'RELOADING', 'READY', 'STOPPING']);
  });
});
