import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isRunning, killChild, trackChild } from '../support/processes.js';

/**
 * An HTTP health agent the way Debian shops run one: xinetd (the Debian
 * package) starts a shell script per connection, which reads the request
 * and answers `200 OK` or `503 Service Unavailable` depending on a state
 * file the test writes ("up" or anything else).
 */
export interface XinetdAgent {
  readonly port: number;
  /** Makes the next answers 200 (`up`) or 503 (`down`). */
  setState(state: 'up' | 'down'): Promise<void>;
  stop(): Promise<void>;
}

const SCRIPT = `#!/bin/sh
# HTTP health agent: 200 while the state file says "up", 503 otherwise.
while IFS= read -r line; do
  line=$(printf '%s' "$line" | tr -d '\\r')
  [ -z "$line" ] && break
done
if [ "$(cat "$STATE_FILE" 2>/dev/null)" = "up" ]; then
  body="MariaDB is up."
  printf 'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "\${#body}" "$body"
else
  body="MariaDB is down."
  printf 'HTTP/1.1 503 Service Unavailable\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "\${#body}" "$body"
fi
`;

function config(port: number, script: string, stateFile: string, log: string): string {
  // xinetd insists on `user` when it runs as root, and cannot switch users otherwise.
  const user = process.getuid?.() === 0 ? '  user = root\n' : '';
  return `defaults
{
  log_type = FILE ${log}
}
service lbd-httpchk
{
  type = UNLISTED
  socket_type = stream
  protocol = tcp
  wait = no
  port = ${port}
  bind = 127.0.0.1
  only_from = 127.0.0.1
  instances = UNLIMITED
  per_source = UNLIMITED
  cps = 10000 1
${user}  server = ${script}
  env = STATE_FILE=${stateFile}
}
`;
}

async function waitListening(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (!isRunning(child)) break;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await killChild(child);
  throw new Error(`xinetd did not listen on ${port}:\n${await readFile(log, 'utf8').catch(() => '')}`);
}

/** Starts xinetd in the foreground (`-dontfork`) with the agent on `port`, answering 200 at first. */
export async function startXinetdAgent(dir: string, port: number): Promise<XinetdAgent> {
  const script = join(dir, 'httpchk.sh');
  const stateFile = join(dir, 'httpchk.state');
  const conf = join(dir, 'xinetd.conf');
  const log = join(dir, 'xinetd.log');
  await writeFile(script, SCRIPT);
  await chmod(script, 0o755);
  await writeFile(stateFile, 'up\n');
  await writeFile(conf, config(port, script, stateFile, log));
  const child = trackChild(
    spawn('xinetd', ['-dontfork', '-f', conf, '-pidfile', join(dir, 'xinetd.pid')], { stdio: 'ignore' }),
  );
  const missing = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(new Error(`cannot run xinetd (scripts/setup.sh installs it): ${err.message}`)),
    ),
  );
  // Once it runs, a later 'error' (a failed kill) must not surface as an unhandled rejection.
  missing.catch(() => {});
  await Promise.race([waitListening(port, child, log), missing]);
  return {
    port,
    async setState(state) {
      await writeFile(stateFile, `${state}\n`);
    },
    async stop() {
      await killChild(child);
    },
  };
}
