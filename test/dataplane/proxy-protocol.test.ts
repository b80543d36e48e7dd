import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDb } from '../support/mariadb.js';
import { type ClientTarget, query } from '../support/mysql-client.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('proxy-protocol');
const V2 = ports.local(0);
const V1 = ports.local(1);
const PLAIN = ports.local(2);
const CHAIN_FRONT = ports.local(3);
const ACCEPT = ports.local(4);
const cleanup = createCleanup();
let db3: MariaDbServer;
let lbd: Lbd;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  // MariaDB trusts PROXY headers from lbd's address only.
  db3 = cleanup.add(
    await startMariaDb({
      port: ports.mariadb[0],
      name: 'db3',
      extraArgs: ['--proxy-protocol-networks=127.0.0.1', '--server-id=3'],
    }),
    (s) => s.stop(),
  );
  const dir = await makeTempDir('proxy-protocol');
  const config = lbdConfig(
    { statsSocket: `${dir}/stats.sock` },
    `
    listen pp_v2
      bind 127.0.0.1:${V2}
      log global
      server db3 127.0.0.1:${db3.port} send-proxy-v2

    listen pp_v1
      bind 127.0.0.1:${V1}
      log global
      server db3 127.0.0.1:${db3.port} send-proxy

    listen pp_none
      bind 127.0.0.1:${PLAIN}
      log global
      server db3 127.0.0.1:${db3.port}

    listen pp_chain_front
      bind 127.0.0.1:${CHAIN_FRONT}
      log global
      server next_hop 127.0.0.1:${ACCEPT} send-proxy-v2

    listen pp_accept
      bind 127.0.0.1:${ACCEPT} accept-proxy
      log global
      server db3 127.0.0.1:${db3.port} send-proxy-v2
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

/** The client address MariaDB sees for this very connection ("ip:port"). */
function seenHost(target: ClientTarget): Promise<string> {
  return query('select host from information_schema.processlist where id = connection_id()', target);
}

describe('PROXY protocol', () => {
  it('send-proxy-v2 gives MariaDB the client address, not lbd', async () => {
    expect(await query('select user()', { port: V2, sourceAddress: '127.0.0.7' })).toBe('lbtest@127.0.0.7');

    // Same address and port as lbd logs for the client connection.
    const from = lbd.mark();
    const host = await seenHost({ port: V2, sourceAddress: '127.0.0.7' });
    expect(host).toMatch(/^127\.0\.0\.7:\d+$/);
    await lbd.waitForTraffic((r) => r.backend === 'pp_v2' && r.client === host, 10_000, from);
  });

  it('send-proxy (v1) gives MariaDB the client address', async () => {
    expect(await query('select user()', { port: V1, sourceAddress: '127.0.0.8' })).toBe('lbtest@127.0.0.8');
  });

  it('without send-proxy MariaDB sees lbd (127.0.0.1)', async () => {
    expect(await query('select user()', { port: PLAIN, sourceAddress: '127.0.0.9' })).toBe(
      'lbtest@127.0.0.1',
    );
  });

  it('accept-proxy on a bind carries the original client through a second hop', async () => {
    // client 127.0.0.10 -> pp_chain_front -(v2)-> pp_accept (accept-proxy) -(v2)-> MariaDB
    const from = lbd.mark();
    const host = await seenHost({ port: CHAIN_FRONT, sourceAddress: '127.0.0.10' });
    expect(host).toMatch(/^127\.0\.0\.10:\d+$/);
    await lbd.waitForTraffic((r) => r.backend === 'pp_accept' && r.client === host, 10_000, from);
  });

  it('accept-proxy takes a v1 header sent by the client itself', async () => {
    const from = lbd.mark();
    const header = `PROXY TCP4 127.0.0.42 127.0.0.1 40000 ${ACCEPT}\r\n`;
    expect(await seenHost({ port: ACCEPT, proxyHeader: header })).toBe('127.0.0.42:40000');
    await lbd.waitForTraffic(
      (r) => r.backend === 'pp_accept' && r.client === '127.0.0.42:40000',
      10_000,
      from,
    );
  });
});
