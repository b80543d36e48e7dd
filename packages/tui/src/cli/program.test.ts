import { validateSchema } from '@lbctl/protocol';
import { describe, expect, it } from 'vitest';
import { FakeDaemon, fakeDeps, fakeServer } from '../testing/fake-daemon.js';
import { EXIT } from './exit-codes.js';
import { createProgram, runCli } from './program.js';
import { STATUS_SCHEMA } from './status/schema.js';

function daemon(level?: 'user' | 'admin') {
  return new FakeDaemon(
    [
      fakeServer('mysql_ro', 'db1'),
      fakeServer('mysql_ro', 'db2', { sessions: 2 }),
      fakeServer('mysql_rw', 'db1'),
      fakeServer('redis', 'cache1', {
        check: { configured: false, enabled: false, status: 'INI', health: 0, rise: 2, fall: 3 },
        status: 'no check',
      }),
    ],
    level,
  );
}

/** Runs lbctl in-process; `null` stands for a daemon that is not running. */
async function run(argv: string[], d: FakeDaemon | null = daemon()) {
  const io = fakeDeps(d ?? undefined);
  const code = await runCli(argv, io.deps);
  return { code, out: io.stdout.text, err: io.stderr.text, daemon: d };
}

describe('lbctl program', () => {
  it('documents every exit code in --help and ends every verb help with examples', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(EXIT.ok);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '5 ', '6 ', '7 ', '130 '])
      expect(help.out).toContain(`\n  ${code}`);
    const program = createProgram(fakeDeps(undefined).deps);
    for (const verb of program.commands.filter((c) => !c.name().startsWith('_') && c.name() !== 'top')) {
      const r = await run([verb.name(), '--help']);
      expect(r.code, verb.name()).toBe(0);
      expect(r.out, verb.name()).toMatch(/Examples:\n {2}\$ .*lbctl /);
    }
  });

  it('exits 2 on usage errors, with one line on stderr', async () => {
    expect((await run(['disable'])).code).toBe(EXIT.usage);
    expect((await run(['status', '--frob'])).code).toBe(EXIT.usage);
    const bad = await run(['weight', 'mysql_ro/db1', '300']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toBe("lbctl: weight must be 0-256 or a percentage such as 50%, got '300'\n");
    expect((await run(['drain', 'db2', '--timeout', '5s'])).code).toBe(EXIT.usage);
    expect((await run(['drain', 'db2', '--wait', '--timeout', 'soon'])).code).toBe(EXIT.usage);
    expect((await run(['--url', 'ws://h:1', 'status'])).code).toBe(EXIT.usage);
  });

  it('maps unreachable, unknown, ambiguous and refused to their exit codes', async () => {
    const down = await run(['status'], null);
    expect(down).toMatchObject({
      code: EXIT.unreachable,
      err: 'lbctl: cannot reach lbd at /fake/admin.sock: no such socket\n',
    });
    const unknown = await run(['disable', 'db9']);
    expect(unknown).toMatchObject({ code: EXIT.noSuchServer, err: "lbctl: no server matches 'db9'\n" });
    const ambiguous = await run(['disable', 'db1']);
    expect(ambiguous.code).toBe(EXIT.ambiguous);
    expect(ambiguous.err).toContain('mysql_ro/db1, mysql_rw/db1');
    const refused = await run(['disable', 'db2'], daemon('user'));
    expect(refused.code).toBe(EXIT.permissionDenied);
    expect(refused.err.split('\n')).toHaveLength(2);
    expect(refused.err).toContain('needs a socket with level admin');
  });

  it('disable, enable, ready and drain print the state the daemon confirmed', async () => {
    const d = daemon();
    const off = await run(['disable', 'mysql_ro/db1'], d);
    expect(off.code).toBe(0);
    expect(off.out).toBe('mysql_ro/db1: MAINT (admin maint, health up, weight 1, 0 sessions, was UP)\n');
    expect(d.servers[0]!.admin).toBe('maint');
    expect((await run(['enable', 'db1', '--backend', 'mysql_ro'], d)).out).toContain('mysql_ro/db1: UP');
    const glob = await run(['drain', 'mysql_*/db*', '--json'], d);
    const doc = JSON.parse(glob.out) as { action: string; servers: { server: string; admin: string }[] };
    expect(doc.action).toBe('drain');
    expect(doc.servers.map((s) => s.admin)).toEqual(['drain', 'drain', 'drain']);
    expect((await run(['ready', 'db*', '-q'], d)).out).toBe('');
  });

  it('weight accepts absolute and percentage values and shows the result', async () => {
    const d = daemon();
    expect((await run(['weight', 'db2', '50'], d)).out).toContain('weight 50');
    expect(d.requests.find((r) => r.cmd === 'set-weight')?.args).toMatchObject({ weight: 50 });
    await run(['weight', 'db2', '50%'], d);
    expect(d.requests.filter((r) => r.cmd === 'set-weight')[1]?.args).toMatchObject({ weight: '50%' });
    expect((await run(['weight', 'db2'], d)).out).toBe('mysql_ro/db2: weight 1 (initial 1)\n');
  });

  it('health and shutdown-sessions', async () => {
    const d = daemon();
    expect((await run(['health', 'disable', 'db2'], d)).code).toBe(0);
    expect(d.servers[1]!.check.enabled).toBe(false);
    const notConfigured = await run(['health', 'enable', 'cache1'], d);
    expect(notConfigured).toMatchObject({ code: EXIT.error });
    expect(notConfigured.err).toMatch(/^lbctl: redis\/cache1: Health check was not configured/);
    expect((await run(['health', 'sideways', 'db2'], d)).code).toBe(EXIT.usage);
    expect((await run(['shutdown-sessions', 'db2'], d)).out).toBe('mysql_ro/db2: closed 2 sessions\n');
  });

  it('status: table, csv, and --json valid against STATUS_SCHEMA', async () => {
    const table = await run(['status']);
    expect(table.out.split('\n')[0]).toMatch(
      /^NAME\s+STATUS\s+CHECK\s+WEIGHT\s+CUR\s+MAX\s+LIMIT\s+QUEUE\s+RATE\s+LASTCHG$/,
    );
    expect(table.out).toMatch(/\n {2}db2\s+UP\s+L4OK 2ms\s+1\s+2\s+2\s+-\s+0\s+0\s+5s\n/);
    expect(table.out).not.toContain('\u001b[');
    const json = await run(['status', '--json']);
    const doc = JSON.parse(json.out);
    expect(validateSchema(STATUS_SCHEMA, doc)).toBeUndefined();
    expect(doc.daemons[0].backends.map((b: { name: string }) => b.name)).toEqual([
      'mysql_ro',
      'mysql_rw',
      'redis',
    ]);
    expect(validateSchema(STATUS_SCHEMA, { ...doc, version: 2 })).toBeDefined();
    const csv = await run(['status', 'mysql_ro/*', '--csv']);
    expect(csv.out.split('\n')).toHaveLength(5);
    expect(csv.out).toContain('/fake/admin.sock,mysql_ro,db2,UP,ready,up,L4OK,,2,1,2,2,,0,0,5\n');
    expect((await run(['status', '--backend', 'nope'])).code).toBe(EXIT.noSuchServer);
  });

  it('colours only on a terminal, and never with NO_COLOR', async () => {
    const io = fakeDeps(daemon());
    (io.stdout as { isTTY: boolean }).isTTY = true;
    await runCli(['status'], io.deps);
    expect(io.stdout.text).toContain('\u001b[32mUP');
    const plain = fakeDeps(daemon(), { env: { LBCTL_SOCKET: '/x', NO_COLOR: '1' } });
    (plain.stdout as { isTTY: boolean }).isTTY = true;
    await runCli(['status'], plain.deps);
    expect(plain.stdout.text).not.toContain('\u001b[');
  });

  it('check: 0 when every backend can serve, 1 with the reason otherwise (also when unreachable)', async () => {
    const d = daemon('user');
    expect((await run(['check'], d)).code).toBe(0);
    d.servers[0]!.status = 'DOWN';
    d.servers[0]!.health = 'down';
    d.servers[1]!.admin = 'maint';
    d.servers[1]!.status = 'MAINT';
    const bad = await run(['check'], d);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      'lbctl: /fake/admin.sock: backend mysql_ro has no usable server (db1 DOWN, db2 MAINT)\n',
    );
    expect((await run(['check', '--backend', 'mysql_rw'], d)).code).toBe(0);
    const down = await run(['check'], null);
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach lbd');
  });

  it('raw sends the text command and exits 6 on "Permission denied"', async () => {
    const sent: string[] = [];
    const io = fakeDeps(daemon(), {
      sendRaw: async (path, command) => {
        sent.push(`${path}: ${command}`);
        return command.startsWith('disable') ? 'Permission denied\n\n' : '1\n# be_id\n';
      },
    });
    expect(await runCli(['raw', 'show', 'servers', 'state'], io.deps)).toBe(0);
    expect(io.stdout.text).toBe('1\n# be_id\n');
    expect(await runCli(['raw', 'disable server b/s'], io.deps)).toBe(EXIT.permissionDenied);
    expect(sent).toEqual(['/fake/admin.sock: show servers state', '/fake/admin.sock: disable server b/s']);
  });

  it('ports shows headroom per pair with advice, --json the report, and a coded error without a monitor', async () => {
    const d = new FakeDaemon([]);
    expect((await run(['ports'], d)).code).toBe(EXIT.error);
    d.portsReport = {
      time: 0,
      intervalMs: 5000,
      scan: { reader: 'procfs', sockets: 1000, durationMs: 3, cpuMs: 1, cpuPct: 0.1 },
      kernel: {
        ipLocalPortRange: { low: 32768, high: 60999 },
        ipLocalReservedPorts: [],
        usableEphemeralPorts: 28232,
        tcpTwReuse: 2,
        tcpTwReuseDelayMs: 1000,
        tcpFinTimeoutS: 60,
        tcpMaxTwBuckets: 131072,
        tcpTimestamps: 1,
        timeWait: 980,
      },
      fds: { inUse: 40, limit: 20000, maxsock: 8234, maxconn: 4096, headroomPct: 99.8 },
      level: 'critical',
      pairs: [
        {
          source: '127.0.0.2',
          destination: '127.0.0.1:3306',
          servers: ['be/db1'],
          mode: 'managed',
          range: { low: 40000, high: 40999 },
          usable: 1000,
          inUse: 990,
          headroom: 10,
          headroomPct: 1,
          states: { ESTABLISHED: 10, TIME_WAIT: 980 },
          managed: { live: 10, coolingTimeWait: 980, coolingRefused: 0 },
          connectRate: 16,
          refusals: 0,
          steadyStateInUse: 970,
          exhaustionSeconds: 1,
          level: 'critical',
          advice: ['add source addresses'],
        },
      ],
      sources: [],
      servers: [],
    };
    const table = await run(['ports'], d);
    expect(table.code).toBe(EXIT.ok);
    expect(table.out).toMatch(
      /127\.0\.0\.2\s+127\.0\.0\.1:3306 \(be\/db1\)\s+managed\s+990\/1000\s+1\.0%\s+10\s+980\s+16\s+1\.0s\s+critical/,
    );
    expect(table.out).toContain('127.0.0.2 -> 127.0.0.1:3306:\n  - add source addresses');
    const json = await run(['ports', '--json'], d);
    expect(JSON.parse(json.out)).toMatchObject({ level: 'critical', pairs: [{ inUse: 990 }] });
  });

  it('events follows the event topics only: ports reports are state, shown by lbctl ports', async () => {
    const d = daemon();
    const running = run(['events', '--count', '1'], d);
    for (let i = 0; i < 100 && !d.subscribed; i++) await new Promise((r) => setTimeout(r, 5));
    expect(d.requests.find((r) => r.cmd === 'subscribe')?.args).toMatchObject({
      topics: ['server', 'admin', 'check', 'reload', 'ports', 'worker'],
    });
    d.pushEvent({ topic: 'reload', time: 0, phase: 'done' });
    expect((await running).out).toMatch(/reload done\n$/);
    const refused = await run(['events', '--topics', 'ports-report']);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err).toContain(
      "unknown topic 'ports-report' (topics: server, admin, check, reload, ports, worker)",
    );
  });

  it('reload prints what changed, or each FILE:LINE error and exits 1', async () => {
    const d = new FakeDaemon([]);
    const ok = await run(['reload'], d);
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.out).toMatch(/^reloaded: .*: nothing changed \(3 ms\)\n$/);
    d.reloadResult = {
      applied: false,
      files: ['/etc/lbd/lbd.cfg'],
      errors: ["/etc/lbd/lbd.cfg:7: unknown keyword 'balanse' in 'listen' section"],
      durationMs: 2,
    };
    const refused = await run(['reload'], d);
    expect(refused.code).toBe(EXIT.error);
    expect(refused.err).toContain("/etc/lbd/lbd.cfg:7: unknown keyword 'balanse' in 'listen' section\n");
    expect(refused.err).toMatch(/configuration refused \(1 error\(s\)\)/);
    const json = await run(['reload', '--json'], d);
    expect(JSON.parse(json.out)).toMatchObject({
      action: 'reload',
      applied: false,
      errors: [expect.any(String)],
    });
  });

  it('reload needs an admin socket', async () => {
    expect((await run(['reload'], daemon('user'))).code).toBe(EXIT.permissionDenied);
  });

  it('completion scripts name every verb', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await run(['completion', shell]);
      expect(r.code).toBe(0);
      for (const verb of ['status', 'drain', 'shutdown-sessions', 'check', 'events'])
        expect(r.out).toContain(verb);
    }
    expect((await run(['completion', 'tcsh'])).code).toBe(EXIT.usage);
  });
});
