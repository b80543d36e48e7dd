/**
 * One client process of the idle-memory workload: opens `--count` TCP
 * connections to `--port` in batches of `--batch` (a batch must settle before
 * the next starts, so the proxy's accept queue is never flooded), then holds
 * them, sending nothing, until SIGTERM. Several of these run side by side:
 * each process may hold at most 20,000 descriptors, and each binds its own
 * source address (127.0.N.2, .3, ...) so their ephemeral ports never compete.
 *
 * Prints NDJSON on stdout: {"event":"progress","connected":N} per batch, then
 * {"event":"done","connected":N,"failed":M,"firstError":"..."}.
 *
 *   node idle-client.ts --port 14104 --count 3000 --batch 250 --local-address 127.0.1.2
 */
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    count: { type: 'string' },
    batch: { type: 'string', default: '250' },
    'local-address': { type: 'string' },
    'connect-timeout-ms': { type: 'string', default: '10000' },
  },
});
const port = Number(values.port);
const count = Number(values.count);
const batch = Number(values.batch);
const connectTimeoutMs = Number(values['connect-timeout-ms']);
if (!(port > 0 && count >= 0 && batch > 0)) {
  console.error('idle-client: --port and --count are required');
  process.exit(2);
}

const held: Socket[] = [];
let failed = 0;
let firstError: string | undefined;

function openOne(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: values.host, port, localAddress: values['local-address'] });
    const timer = setTimeout(
      () => socket.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      held.push(socket);
      resolve();
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      // Errors after connect (the proxy closing) just end that connection;
      // the bench counts established sockets itself.
      if (!held.includes(socket)) {
        failed += 1;
        firstError ??= err.message;
        resolve();
      }
    });
  });
}

for (let opened = 0; opened < count; ) {
  const size = Math.min(batch, count - opened);
  await Promise.all(Array.from({ length: size }, openOne));
  opened += size;
  console.log(JSON.stringify({ event: 'progress', connected: held.length, failed }));
}
console.log(JSON.stringify({ event: 'done', connected: held.length, failed, firstError }));

// Exiting closes every socket at once; the kernel sends the FINs.
process.on('SIGTERM', () => process.exit(0));
// Keep the process alive even if every connection failed, until told to go.
setInterval(() => {}, 1 << 30);
