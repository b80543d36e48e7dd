// Starts the demo: local demo backends, lbd on its shipped demo config and a
// light, bounded-rate client load, until Ctrl-C. Loopback only.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const backends = [
  ['db1', 17001],
  ['db2', 17002],
  ['db3', 17003],
  ['cache1', 17011],
  ['cache2', 17012],
];

/** A demo backend: greets with its name, echoes lines, answers slowly now and then. */
function startBackend(name, port) {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write(`hello from ${name}\n`);
    socket.on('data', (chunk) => {
      const delay = Math.random() < 0.1 ? 500 : 5;
      setTimeout(() => socket.writable && socket.write(`${name}: ${chunk}`), delay);
    });
  });
  server.listen(port, '127.0.0.1');
  return server;
}

/** One short client session: connect, send a line, read the reply, leave. */
function oneRequest(port, holdMs) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.setTimeout(10_000, () => socket.destroy());
  socket.once('connect', () => socket.write('select 1\n'));
  setTimeout(() => socket.end(), holdMs);
}

mkdirSync('/tmp/lbd-demo', { recursive: true });
const servers = backends.map(([name, port]) => startBackend(name, port));
// Run as installed: the entry script's shebang carries lbd's V8 flags.
const lbd = spawn(
  join(root, 'packages/daemon/bin/lbd.js'),
  ['-f', join(root, 'packages/daemon/config/demo.cfg')],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let ready = false;
let top;
lbd.stdout.setEncoding('utf8');
lbd.stdout.on('data', (text) => {
  if (ready || !text.includes('"msg":"lbd ready"')) return;
  ready = true;
  if (process.stdout.isTTY) {
    // The console in the foreground; quitting it (q) ends the demo.
    top = spawn(
      process.execPath,
      [join(root, 'packages/tui/bin/lbctl.js'), 'top', '--socket', '/tmp/lbd-demo/admin.sock'],
      {
        stdio: 'inherit',
      },
    );
    top.on('exit', (code) => shutdown(code ?? 0));
    return;
  }
  console.log(`lbd is running (pid ${lbd.pid}) on the demo config with 5 local backends and a light load.
  proxy:        TCP on 127.0.0.1:17000 and 127.0.0.1:17010 (try: socat - TCP:127.0.0.1:17000)
  console:      node packages/tui/bin/lbctl.js top --socket /tmp/lbd-demo/admin.sock
  admin socket: echo "show stat" | socat stdio /tmp/lbd-demo/admin.sock
Ctrl-C stops everything.`);
});
lbd.on('exit', (code) => {
  console.log(`lbd exited (${code})`);
  shutdown(1);
});

// About 5 new connections per second, a few of them held for several seconds.
const load = setInterval(() => {
  oneRequest(17000, Math.random() < 0.2 ? 4000 : 200);
  if (Math.random() < 0.3) oneRequest(17010, 1000);
}, 200);

function shutdown(code) {
  clearInterval(load);
  if (top !== undefined && top.exitCode === null) top.kill('SIGTERM');
  if (lbd.exitCode === null) lbd.kill('SIGTERM');
  for (const server of servers) server.close();
  setTimeout(() => process.exit(code), 300).unref();
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
