import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { connectTcp, readToEnd } from '../support/net-clients.js';
import { startEchoServer, startReplyAfterEofServer, startSlowSinkServer } from '../support/net-servers.js';
import { portsFor } from '../support/ports.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';

const ports = portsFor('streaming');
const ECHO_LB = ports.local(0);
const ECHO = ports.local(1);
const SINK_LB = ports.local(2);
const SINK = ports.local(3);
const EOF_LB = ports.local(4);
const EOF_SERVER = ports.local(5);

const MB = 1024 * 1024;
const PAYLOAD = 200 * MB;
const CHUNK = 64 * 1024;
/**
 * lbd's RSS may grow by buffers and garbage not yet collected, never by the
 * stream: at most this much above its RSS when idle, with 200 MB passing. (A
 * plain Node pipe() relay peaks about 70 MB above idle here; one that ignores
 * backpressure, 340 MB.)
 */
const RSS_GROWTH_LIMIT = 100 * MB;
/** The slow side pauses this long after each MB: at most ~100 MB/s, slower than the fast side. */
const SLOW = { bytesPerPause: MB, pauseMs: 10 } as const;

const cleanup = createCleanup();
let lbd: Lbd;
let idleRss: number;

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  cleanup.add(await startEchoServer(ECHO), (s) => s.close());
  cleanup.add(await startSlowSinkServer(SINK, SLOW), (s) => s.close());
  cleanup.add(
    await startReplyAfterEofServer(EOF_SERVER, (got) =>
      Buffer.concat([Buffer.from(`got ${got.length}\n`), pattern(MB)]),
    ),
    (s) => s.close(),
  );
  const dir = await makeTempDir('streaming');
  const config = lbdConfig(
    { statsSocket: `${dir}/stats.sock` },
    `
    listen echo
      bind 127.0.0.1:${ECHO_LB}
      log global
      server echo 127.0.0.1:${ECHO}

    listen sink
      bind 127.0.0.1:${SINK_LB}
      log global
      server sink 127.0.0.1:${SINK}

    listen reply_after_eof
      bind 127.0.0.1:${EOF_LB}
      log global
      server eof 127.0.0.1:${EOF_SERVER}
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
  idleRss = await lbd.rssBytes();
});
afterAll(() => cleanup.run());

function pattern(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** Samples lbd's RSS every 50 ms until stopped; returns the peak. */
function watchRss(target: Lbd): { stop(): Promise<number> } {
  let peak = 0;
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = target.rssBytes().then((rss) => {
      peak = Math.max(peak, rss);
    });
  }, 50);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      return Math.max(peak, await target.rssBytes());
    },
  };
}

/** Writes `total` random bytes with backpressure, then half-closes; resolves with their sha256. */
async function writeRandom(socket: Socket, total: number): Promise<string> {
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += CHUNK) {
    const chunk = randomBytes(Math.min(CHUNK, total - sent));
    hash.update(chunk);
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  socket.end();
  return hash.digest('hex');
}

/** Reads until EOF, pausing after each MB (TCP pushes back to lbd); resolves with count and sha256. */
function readSlowly(socket: Socket): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let sincePause = 0;
    socket.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
      sincePause += d.length;
      if (sincePause >= SLOW.bytesPerPause) {
        sincePause = 0;
        socket.pause();
        setTimeout(() => socket.resume(), SLOW.pauseMs);
      }
    });
    socket.once('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
    socket.once('error', reject);
  });
}

describe('byte streams through lbd', () => {
  it('echoes 200 MB byte-exact to a slow-reading client, with bounded memory', async () => {
    const rss = watchRss(lbd);
    const from = lbd.mark();
    const socket = await connectTcp(ECHO_LB);
    const [sent, received] = await Promise.all([writeRandom(socket, PAYLOAD), readSlowly(socket)]);
    const peak = await rss.stop();

    expect(received).toEqual({ bytes: PAYLOAD, sha256: sent });
    expect(peak - idleRss).toBeLessThan(RSS_GROWTH_LIMIT);
    const record = await lbd.waitForTraffic((r) => r.backend === 'echo', 10_000, from);
    expect(record).toMatchObject({ bytes_uploaded: PAYLOAD, bytes_read: PAYLOAD });
  });

  it('delivers 200 MB byte-exact to a slow-reading server, with bounded memory', async () => {
    const rss = watchRss(lbd);
    const socket = await connectTcp(SINK_LB);
    const reply = readToEnd(socket);
    const sent = await writeRandom(socket, PAYLOAD);
    const answer = (await reply).toString();
    const peak = await rss.stop();

    expect(answer).toBe(`${PAYLOAD} ${sent}\n`);
    expect(peak - idleRss).toBeLessThan(RSS_GROWTH_LIMIT);
  });

  it('gives a client that half-closes its whole reply', async () => {
    const from = lbd.mark();
    const socket = await connectTcp(EOF_LB);
    const reply = readToEnd(socket);
    socket.end('request: send me everything after my EOF\n');
    const got = await reply;

    const expected = Buffer.concat([Buffer.from('got 41\n'), pattern(MB)]);
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
    const record = await lbd.waitForTraffic((r) => r.backend === 'reply_after_eof', 10_000, from);
    expect(record).toMatchObject({ bytes_uploaded: 41, bytes_read: expected.length });
  });
});
