import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { connectTcp, waitForClose } from '../support/net-clients.js';
import { startSilentServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('timeouts');
const BOTH_1S = ports.local(0);
const CLIENT_1S = ports.local(1);
const SERVER_1S = ports.local(2);
const SILENT = ports.local(3);
const cleanup = createCleanup();
let lbd: Lbd;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startSilentServer(SILENT), (s) => s.close());
  const dir = await makeTempDir('timeouts');
  const config = lbdConfig(
    { statsSocket: `${dir}/stats.sock` },
    `
    listen idle_both
      bind 127.0.0.1:${BOTH_1S}
      log global
      timeout client 1s
      timeout server 1s
      server silent 127.0.0.1:${SILENT}

    listen idle_client
      bind 127.0.0.1:${CLIENT_1S}
      log global
      timeout client 1s
      timeout server 3s
      server silent 127.0.0.1:${SILENT}

    listen idle_server
      bind 127.0.0.1:${SERVER_1S}
      log global
      timeout client 3s
      timeout server 1s
      server silent 127.0.0.1:${SILENT}
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

/** Opens a connection, sends nothing, and measures how long until lbd closes it. */
async function idleLifetime(port: number): Promise<number> {
  const socket = await connectTcp(port);
  const opened = performance.now();
  cleanup.add(socket, (s) => s.destroy());
  await waitForClose(socket);
  return performance.now() - opened;
}

// Both sides stay silent. HAProxy 2.6 in TCP mode closes such a connection
// when the longer of the two timeouts has passed, blaming the side whose
// timeout expired first; the bounds below accept that and a stricter proxy
// that closes at the first expiry.
describe('idle timeouts', () => {
  it('timeout client 1s / timeout server 1s close an idle connection after about 1 s', async () => {
    const from = lbd.mark();
    const lifetime = await idleLifetime(BOTH_1S);
    expect(lifetime).toBeGreaterThan(800);
    expect(lifetime).toBeLessThan(3_000);
    const record = await lbd.waitForTraffic((r) => r.backend === 'idle_both', 5_000, from);
    expect(['cD', 'sD']).toContain(record.termination);
    expect(record).toMatchObject({ server: 'silent', bytes_read: 0, bytes_uploaded: 0 });
  });

  it('an expired timeout client is logged as cD', async () => {
    const from = lbd.mark();
    const lifetime = await idleLifetime(CLIENT_1S);
    expect(lifetime).toBeGreaterThan(800);
    expect(lifetime).toBeLessThan(5_000);
    const record = await lbd.waitForTraffic((r) => r.backend === 'idle_client', 5_000, from);
    expect(record.termination).toBe('cD');
  });

  it('an expired timeout server is logged as sD', async () => {
    const from = lbd.mark();
    const lifetime = await idleLifetime(SERVER_1S);
    expect(lifetime).toBeGreaterThan(800);
    expect(lifetime).toBeLessThan(5_000);
    const record = await lbd.waitForTraffic((r) => r.backend === 'idle_server', 5_000, from);
    expect(record.termination).toBe('sD');
  });
});
