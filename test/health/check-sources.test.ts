import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type PeerLogServer, startPeerLogServer } from '../support/peer-log-server.js';
import { portsFor } from '../support/ports.js';
import { statRow, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

/**
 * Health checks leave from every source address of `source A,B[:LOW-HIGH]`,
 * in turn: the check peers record where each check connection came from
 * (see startPeerLogServer for why the checks wait for a greeting).
 */
const ports = portsFor('health-check-sources');
const cleanup = createCleanup();
let own: PeerLogServer;
let inherited: PeerLogServer;
let stats: string;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  own = cleanup.add(await startPeerLogServer(ports.local(1), 'ready\n'), (s) => s.close());
  inherited = cleanup.add(await startPeerLogServer(ports.local(2), 'ready\n'), (s) => s.close());
  const dir = await makeTempDir('health-check-sources');
  stats = join(dir, 'stats.sock');
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen checked
      bind 127.0.0.1:${ports.local(0)}
      source 127.0.0.4,127.0.0.5,127.0.0.6
      # Each check waits for the peer's greeting, so the peer reads its address before lbd closes.
      option tcp-check
      tcp-check expect string ready
      server own 127.0.0.1:${own.port} check inter 100 source 127.0.0.2,127.0.0.3
      server inherited 127.0.0.1:${inherited.port} check inter 100
    `,
  );
  cleanup.add(await startLbd(config, { dir, name: 'health-check-sources' }), (l) => l.stop());
});
afterAll(() => cleanup.run());

describe('health checks with several source addresses', () => {
  it('check a server from each of its source addresses in turn (inter 100: within a second)', async () => {
    await own.waitFor(() => own.peers.length >= 6, 'six checks of own', 5000);
    expect(own.peers.slice(0, 6)).toEqual([
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.2',
      '127.0.0.3',
    ]);
  });

  it("use the backend's addresses for a server without its own source, every one of them", async () => {
    await inherited.waitFor(() => inherited.peers.length >= 6, 'six checks of inherited', 5000);
    expect(inherited.peers.slice(0, 6)).toEqual([
      '127.0.0.4',
      '127.0.0.5',
      '127.0.0.6',
      '127.0.0.4',
      '127.0.0.5',
      '127.0.0.6',
    ]);
  });

  it('keep the servers UP: every check passed, whichever address it left from', async () => {
    const rows = await waitForStat(stats, (r) =>
      r.some((x) => x.pxname === 'checked' && x.svname === 'inherited' && x.check_status === 'L7OK'),
    );
    for (const server of ['own', 'inherited']) {
      expect(statRow(rows, 'checked', server), server).toMatchObject({
        status: 'UP',
        check_status: 'L7OK',
        chkfail: '0',
      });
    }
  });
});
