/**
 * Backend of the idle-memory workload: accepts connections and holds them
 * without reading or writing, so the proxy's cost per connection is measured
 * with no buffers in flight. Runs in its own process so its sockets and heap
 * never mix with the proxy's or the bench's.
 *
 *   node idle-backend.ts --host 127.0.0.1 --port 14003
 *
 * Signals: SIGUSR2 closes every held connection (server side first), SIGTERM exits.
 */
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error('idle-backend: --port is required');
  process.exit(2);
}

const held = new Set<Socket>();
const server = createServer((socket) => {
  held.add(socket);
  // A reset from the proxy going away is expected, not a crash.
  socket.on('error', () => {});
  socket.on('close', () => held.delete(socket));
});
server.on('error', (err) => {
  console.error(`idle-backend: ${err.message}`);
  process.exit(1);
});
// A deep backlog: clients connect in batches of hundreds.
server.listen({ host: values.host, port, backlog: 4096 }, () => {
  console.log(JSON.stringify({ event: 'ready', port }));
});
process.on('SIGTERM', () => process.exit(0));
// SIGUSR2: close every held connection, the server first. The side that
// closes first keeps the TIME_WAIT; here that is port 14003's side, which
// holds no ephemeral port, so the proxy's next connect()s find the range
// free. (SIGUSR1 belongs to Node's inspector.)
process.on('SIGUSR2', () => {
  for (const socket of held) socket.end();
});
