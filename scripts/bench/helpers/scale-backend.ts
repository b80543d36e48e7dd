/**
 * Backend of the scale benchmark: accepts connections, greets each with one
 * byte the moment it is accepted, then echoes whatever arrives. The greeting
 * travels back through the proxy, so a client that reads it knows its whole
 * path is up (client -> lbd -> this process), which is what paces the
 * clients (see scale-client.ts); the echo lets the bench check a sample of
 * held connections still carry data. Several of these run side by side, one
 * port each: a process may hold at most 20,000 descriptors.
 *
 *   node scale-backend.ts --host 127.0.0.1 --port 14602
 *
 * Prints {"event":"ready","port":N} once listening, then
 * {"event":"held","held":N} every 2 s while the count changes. SIGTERM exits.
 */
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    backlog: { type: 'string', default: '4096' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error('scale-backend: --port is required');
  process.exit(2);
}

const GREETING = Buffer.from('g');
let held = 0;
const onConnection = (socket: Socket) => {
  held += 1;
  // A reset from the proxy going away is expected, not a crash.
  socket.on('error', () => {});
  socket.on('close', () => {
    held -= 1;
  });
  socket.on('data', (chunk) => socket.write(chunk));
  socket.write(GREETING);
};
const server = createServer({ allowHalfOpen: false, noDelay: true }, onConnection);
server.on('error', (err) => {
  console.error(`scale-backend: ${err.message}`);
  process.exit(1);
});
server.listen({ host: values.host, port, backlog: Number(values.backlog) }, () => {
  console.log(JSON.stringify({ event: 'ready', port }));
});

let reported = -1;
setInterval(() => {
  if (held === reported) return;
  reported = held;
  console.log(JSON.stringify({ event: 'held', held }));
}, 2000);
process.on('SIGTERM', () => process.exit(0));
