/**
 * Helper of the ports benchmarks: fills the kernel's TCP table. Listens on
 * 127.0.0.1:--port and opens --count connections to itself from
 * --source (the kernel picks the ports), holding both ends: 2 sockets and 2
 * descriptors per connection, so one process stays under the 20,000
 * open-files limit with up to 9,900. With --time-wait N it then closes N of
 * them from the client side first, which leaves N sockets in TIME_WAIT for
 * 60 s. With --half-close the clients send their FIN and the server never
 * answers it: the client sides stay in FIN_WAIT2 and the server sides in
 * CLOSE_WAIT for as long as the process lives (a table of sockets in
 * closing states, which a monitor reading only non-ESTABLISHED sockets must
 * all read, like a TIME_WAIT pile-up). Prints one NDJSON line {"event":"done","connected":N,"failed":M}
 * and holds the rest until SIGTERM.
 *
 *   node scripts/bench/ports-filler.ts --port 14001 --count 9000 --source 127.0.1.1
 */
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    count: { type: 'string' },
    source: { type: 'string', default: '127.0.0.1' },
    'time-wait': { type: 'string', default: '0' },
    batch: { type: 'string', default: '500' },
    'half-close': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const count = Number(values.count);
const timeWait = Number(values['time-wait']);
const batch = Number(values.batch);
if (!(port > 0 && count >= 0 && count <= 9900 && timeWait <= count)) {
  console.error('ports-filler: --port and --count (at most 9,900) are required; --time-wait <= --count');
  process.exit(2);
}

const clients: Socket[] = [];
const halfClose = values['half-close'];
const server = createServer({ allowHalfOpen: halfClose }, (socket) => {
  socket.on('error', () => {});
  // The server answers a FIN with its own, so the client side ends in TIME_WAIT.
  if (!halfClose) socket.on('end', () => socket.end());
  socket.resume();
});
server.listen({ host: '127.0.0.1', port, backlog: 4096 }, async () => {
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: values.source, allowHalfOpen: true });
      socket.once('connect', () => {
        clients.push(socket);
        if (halfClose) socket.end();
        resolve();
      });
      socket.once('error', () => {
        failed++;
        resolve();
      });
    });
  for (let opened = 0; opened < count; opened += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - opened) }, one));
  }
  const closing = clients.splice(0, timeWait);
  await Promise.all(
    closing.map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.resume();
          socket.end();
        }),
    ),
  );
  console.log(JSON.stringify({ event: 'done', connected: clients.length, timeWait: closing.length, failed }));
});
server.on('error', (err) => {
  console.error(`ports-filler: ${err.message}`);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
