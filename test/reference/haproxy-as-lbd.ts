/**
 * HAProxy 2.6 behind lbd's test contract, to check what the end-to-end tests
 * expect against the reference: `LBD_E2E_ENTRY=test/reference/haproxy-as-lbd.ts
 * pnpm exec vitest run --project e2e`. It runs `haproxy -db` on the same
 * config, adds a log-format to each proxy and turns the log lines on stdout
 * into lbd's traffic records; `-c` maps HAProxy's alerts to `FILE:LINE:
 * message`. Node runs it directly (type stripping): no relative imports.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';

const args = process.argv.slice(2);
const file = args[args.indexOf('-f') + 1];
if (file === undefined) {
  process.stderr.write('usage: haproxy-as-lbd [-c] -f FILE\n');
  process.exit(2);
}

if (args.includes('-c')) {
  const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  if (check.status === 0) {
    process.stdout.write('Configuration file is valid\n');
    process.exit(0);
  }
  for (const line of `${check.stderr}${check.stdout}`.split('\n')) {
    const m = /parsing \[(.+?):(\d+)\] ?: (.*)$/.exec(line);
    if (m !== null) process.stderr.write(`${m[1]}:${m[2]}: ${m[3]}\n`);
  }
  process.exit(1);
}

const text = readFileSync(file, 'utf8');
const statsSocket = /stats socket (\S+)/.exec(text)?.[1];
const FORMAT = 'TRAFFIC %ci:%cp %f %b %s %Tw %Tc %Tt %B %U %ts %rc';
const rewritten = text
  .split('\n')
  .flatMap((line) => (/^(listen|frontend)\s/.test(line) ? [line, `  log-format "${FORMAT}"`] : [line]))
  .join('\n');
const haproxyConfig = `${file}.haproxy.cfg`;
writeFileSync(haproxyConfig, rewritten);

const log = (fields: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), ...fields })}\n`);
};

const haproxy = spawn('haproxy', ['-db', '-f', haproxyConfig], { stdio: ['ignore', 'pipe', 'inherit'] });
let partial = '';
haproxy.stdout.setEncoding('utf8').on('data', (data: string) => {
  partial += data;
  let nl = partial.indexOf('\n');
  while (nl >= 0) {
    const line = partial.slice(0, nl);
    partial = partial.slice(nl + 1);
    nl = partial.indexOf('\n');
    const f = /TRAFFIC (\S+) (\S+) (\S+) (\S+) (-?\d+) (-?\d+) (-?\d+) (\d+) (\d+) (\S\S) (\+?\d+)/.exec(
      line,
    );
    if (f === null) {
      log({ component: 'haproxy', msg: line });
      continue;
    }
    const [, client, frontend, backend, server, tw, tc, tt, read, uploaded, termination, rc] =
      f as unknown as string[];
    log({
      component: 'traffic',
      client,
      frontend,
      backend,
      server,
      Tw: Number(tw),
      Tc: Number(tc),
      Tt: Number(tt),
      bytes_read: Number(read),
      bytes_uploaded: Number(uploaded),
      termination,
      retries: Number(rc?.replace('+', '')),
      redispatched: rc?.startsWith('+') ?? false,
      msg: line,
    });
  }
});

let terminating = false;
haproxy.on('exit', (code) => process.exit(terminating || code === 0 ? 0 : 1));
process.on('SIGTERM', () => {
  terminating = true;
  haproxy.kill('SIGTERM');
});

// HAProxy binds everything before it serves its stats socket.
const waitReady = (): void => {
  if (statsSocket === undefined) {
    log({ component: 'lifecycle', msg: 'lbd ready' });
    return;
  }
  const probe = connect(statsSocket);
  probe.on('connect', () => {
    probe.destroy();
    log({ component: 'lifecycle', msg: 'lbd ready' });
  });
  probe.on('error', () => setTimeout(waitReady, 20));
};
waitReady();
