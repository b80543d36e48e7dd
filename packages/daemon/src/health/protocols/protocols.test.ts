import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckSocket } from '../check-socket.js';
import { probeIo } from '../check-target.js';
import type { CheckSpec, TcpCheckStep, Verdict } from '../check-types.js';
import { runProbe } from '../probe.js';
import { Secret } from '../secret.js';
import { agentVerdict, parseAgentReply, runAgentCheck } from './agent.js';
import { judgeReplication } from './mysql-check.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A peer on an ephemeral port: `onConnection` plays the server side. */
async function peer(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

/** Answers each request (what arrived so far) with `reply(request)`, then optionally closes. */
function replying(reply: (request: string) => string | undefined, close = true) {
  return (socket: Socket) => {
    let request = '';
    socket.on('data', (d: Buffer) => {
      request += d.toString('latin1');
      const answer = reply(request);
      if (answer === undefined) return;
      request = '';
      if (close) socket.end(answer);
      else socket.write(answer);
    });
  };
}

async function probe(spec: CheckSpec, port: number, readMs = 500): Promise<Verdict> {
  const sockets: CheckSocket[] = [];
  const io = probeIo({
    endpoint: { host: () => '127.0.0.1', port: () => port },
    localAddress: undefined,
    timeouts: { connectMs: 500, readAfterConnectMs: readMs, overallMs: 1000 },
    startedAt: performance.now(),
    proxyVersion: 0,
    serverState: () => 'UP; name=be/s1; weight=1',
    sockets,
  });
  try {
    return await runProbe(spec, io);
  } finally {
    for (const s of sockets) s.close();
  }
}

const http = (extra: Partial<Extract<CheckSpec, { kind: 'http' }>> = {}): CheckSpec => ({
  kind: 'http',
  request: { method: 'GET', uri: '/health', version: 'HTTP/1.0', headers: [], body: '' },
  expect: undefined,
  disableOn404: false,
  sendState: false,
  ...extra,
});

const response = (status: string, body = '') =>
  `HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('connect and its failures', () => {
  it('passes a connect at layer 4 and reports a refused one', async () => {
    const port = await peer((s) => s.end());
    expect(await probe({ kind: 'connect' }, port)).toEqual({ status: 'L4OK', text: '' });
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(await probe({ kind: 'connect' }, port)).toEqual({ status: 'L4CON', text: 'Connection refused' });
  });

  it('reports a server that never answers as a layer 7 timeout', async () => {
    const port = await peer(() => {});
    expect(await probe({ kind: 'redis' }, port, 100)).toMatchObject({ status: 'L7TOUT' });
    expect(await probe({ kind: 'ssl-hello' }, port, 100)).toMatchObject({ status: 'L6TOUT' });
  });
});

describe('HTTP checks', () => {
  it('sends the request and judges the status', async () => {
    let seen = '';
    const port = await peer(
      replying((req) => {
        seen = req;
        return req.includes('\r\n\r\n') ? response('503 Service Unavailable') : undefined;
      }),
    );
    expect(await probe(http(), port)).toEqual({ status: 'L7STS', code: 503, text: 'Service Unavailable' });
    expect(seen).toBe('GET /health HTTP/1.0\r\nConnection: close\r\n\r\n');
  });

  it('passes 2xx/3xx, honours expect, disable-on-404 and send-state', async () => {
    let code = '200 OK';
    let seen = '';
    const port = await peer(
      replying((req) => {
        seen = req;
        return req.includes('\r\n\r\n') ? response(code, 'db is ready') : undefined;
      }),
    );
    expect(await probe(http(), port)).toEqual({ status: 'L7OK', code: 200, text: 'OK' });
    const wantsBody = http({ expect: { negate: false, kind: 'string', text: 'ready', pattern: 'ready' } });
    expect((await probe(wantsBody, port)).status).toBe('L7OK');
    const wantsOther = http({ expect: { negate: false, kind: 'string', text: 'synced', pattern: 'synced' } });
    expect(await probe(wantsOther, port)).toMatchObject({
      status: 'L7RSP',
      text: "response body does not contain 'synced'",
    });
    const only201 = http({ expect: { negate: false, kind: 'status', ranges: [[201, 201]], pattern: '201' } });
    expect((await probe(only201, port)).status).toBe('L7STS');
    code = '404 Not Found';
    expect((await probe(http({ disableOn404: true }), port)).status).toBe('L7OKC');
    expect((await probe(http(), port)).status).toBe('L7STS');
    await probe(http({ sendState: true }), port);
    expect(seen).toContain('X-Haproxy-Server-State: UP; name=be/s1; weight=1\r\n');
  });

  it('calls a reply that is not HTTP invalid', async () => {
    const port = await peer(replying(() => 'SSH-2.0-OpenSSH\r\n'));
    expect(await probe(http(), port)).toMatchObject({ status: 'L7RSP' });
  });
});

describe('tcp-check', () => {
  const where = { file: 'lb.cfg', line: 9 };
  const ping: TcpCheckStep[] = [
    { op: 'send', data: Buffer.from('PING\r\n'), where },
    { op: 'expect', negate: false, match: 'string', pattern: '+PONG', minRecv: -1, where },
  ];
  const redisLike: CheckSpec = {
    kind: 'tcp-check',
    steps: [
      ...ping,
      { op: 'send', data: Buffer.from('INFO\r\n'), where },
      {
        op: 'expect',
        negate: false,
        match: 'rstring',
        pattern: 'role:master',
        regex: /role:master/,
        minRecv: -1,
        where,
      },
    ],
  };

  it('runs send and expect rules in order', async () => {
    let role = 'master';
    const port = await peer(
      replying(
        (req) =>
          req.endsWith('PING\r\n') ? '+PONG\r\n' : req.endsWith('INFO\r\n') ? `role:${role}\r\n` : undefined,
        false,
      ),
    );
    expect(await probe(redisLike, port)).toEqual({ status: 'L7OK', text: '(tcp-check)' });
    role = 'slave';
    expect(await probe(redisLike, port, 150)).toMatchObject({
      status: 'L7TOUT',
      text: "tcp-check rule 4 (line 9): timeout waiting for rstring 'role:master'",
    });
  });

  it('fails a negated match that is found, and a match the closed connection never gave', async () => {
    const port = await peer(replying(() => '-ERR loading\r\n'));
    const noError: CheckSpec = {
      kind: 'tcp-check',
      steps: [ping[0]!, { op: 'expect', negate: true, match: 'string', pattern: '-ERR', minRecv: -1, where }],
    };
    expect((await probe(noError, port)).status).toBe('L7RSP');
    expect(await probe({ kind: 'tcp-check', steps: ping }, port)).toMatchObject({
      status: 'L7RSP',
      text: "tcp-check rule 2 (line 9): expected string '+PONG', got '-ERR loading..'",
    });
  });

  it('is a layer 4 check with only connect and send rules', async () => {
    const port = await peer((s) => s.resume());
    const spec: CheckSpec = {
      kind: 'tcp-check',
      steps: [
        { op: 'connect', port, sendProxy: false, where },
        { op: 'send', data: Buffer.from('hello'), where },
      ],
    };
    expect(await probe(spec, 1)).toEqual({ status: 'L4OK', text: '' });
  });
});

describe('protocol checks', () => {
  it('redis-check wants +PONG', async () => {
    const port = await peer(replying((req) => (req === 'PING\r\n' ? '+PONG\r\n' : undefined)));
    expect(await probe({ kind: 'redis' }, port)).toEqual({ status: 'L7OK', text: '+PONG' });
    const busy = await peer(replying(() => '-LOADING Redis is loading\r\n'));
    expect(await probe({ kind: 'redis' }, busy)).toEqual({
      status: 'L7STS',
      text: 'LOADING Redis is loading',
    });
  });

  it('pgsql-check takes an authentication request as up, an error as down', async () => {
    let startup: Buffer = Buffer.alloc(0);
    const auth = Buffer.from('520000000c00000005', 'hex'); // AuthenticationMD5Password (truncated salt is fine here)
    const port = await peer((s) =>
      s.once('data', (d: Buffer) => {
        startup = d;
        s.end(Buffer.concat([auth, Buffer.alloc(4)]));
      }),
    );
    expect((await probe({ kind: 'pgsql', user: 'lbcheck' }, port)).status).toBe('L7OK');
    expect(startup.readUInt32BE(4)).toBe(0x00030000);
    expect(startup.subarray(8).toString()).toBe('user\0lbcheck\0\0');
    const fields = Buffer.from('SFATAL\0C28000\0Mno pg_hba.conf entry\0\0');
    const error = Buffer.concat([Buffer.from('E'), Buffer.from([0, 0, 0, fields.length + 4]), fields]);
    const refusing = await peer((s) => s.once('data', () => s.end(error)));
    expect(await probe({ kind: 'pgsql', user: 'x' }, refusing)).toEqual({
      status: 'L7STS',
      text: '28000: no pg_hba.conf entry',
    });
  });

  it('smtpchk wants a 2xx greeting and a 2xx reply to HELO', async () => {
    const port = await peer((s) => {
      s.write('220-mail.example ESMTP\r\n220 ready\r\n');
      s.on('data', (d: Buffer) => {
        if (d.toString().startsWith('EHLO')) s.write('250-mail.example\r\n250 OK\r\n');
      });
    });
    expect(await probe({ kind: 'smtp', hello: 'EHLO', domain: 'lb' }, port)).toEqual({
      status: 'L7OK',
      code: 250,
      text: '250 OK',
    });
    const full = await peer((s) => s.end('421 too busy\r\n'));
    expect(await probe({ kind: 'smtp', hello: 'HELO', domain: 'lb' }, full)).toMatchObject({
      status: 'L7STS',
      code: 421,
    });
  });

  it('ldap-check reads the bind result code', async () => {
    const reply = (code: number) =>
      Buffer.from([0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, code, 0x04, 0x00, 0x04, 0x00]);
    let code = 0;
    const port = await peer((s) => s.once('data', () => s.end(reply(code))));
    expect(await probe({ kind: 'ldap' }, port)).toEqual({ status: 'L7OK', code: 0, text: 'Success' });
    code = 49;
    expect(await probe({ kind: 'ldap' }, port)).toMatchObject({ status: 'L7STS', code: 49 });
  });

  it('ssl-hello-chk wants a TLS record back', async () => {
    const port = await peer((s) =>
      s.once('data', () => s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]))),
    );
    expect(await probe({ kind: 'ssl-hello' }, port)).toEqual({ status: 'L6OK', text: '' });
    const plain = await peer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    expect((await probe({ kind: 'ssl-hello' }, plain)).status).toBe('L6RSP');
  });
});

describe('replication status', () => {
  const spec = {
    kind: 'mysql-replica' as const,
    user: 'u',
    password: new Secret('p'),
    maxLagSeconds: 10,
    requireReplica: false,
  };
  const columns = [
    'Slave_IO_Running',
    'Slave_SQL_Running',
    'Seconds_Behind_Master',
    'Last_IO_Error',
    'Last_SQL_Error',
  ];
  const status = (...row: (string | null)[]) => judgeReplication(spec, { columns, rows: [row] });

  it('passes a replica within max-lag, soft-fails one beyond it or with unknown lag', () => {
    expect(status('Yes', 'Yes', '3', '', '')).toEqual({ status: 'L7OK', text: 'replica lag 3s' });
    expect(status('Yes', 'Yes', '11', '', '')).toEqual({
      status: 'L7OKC',
      text: 'replication lag 11s exceeds max-lag 10s',
    });
    expect(status('Connecting', 'Yes', null, '', '')).toEqual({
      status: 'L7OKC',
      text: 'replication lag unknown (IO thread Connecting)',
    });
  });

  it('fails a replica whose IO or SQL thread stopped, with the error', () => {
    expect(status('Yes', 'No', null, '', "Error 'Duplicate entry' on query")).toEqual({
      status: 'L7STS',
      text: "replication stopped (IO thread Yes, SQL thread No): Error 'Duplicate entry' on query",
    });
    expect(status('No', 'Yes', null, '', '').status).toBe('L7STS');
  });

  it('reads the MySQL 8.4 column names too, and judges a server that is not a replica', () => {
    const replica = judgeReplication(spec, {
      columns: ['Replica_IO_Running', 'Replica_SQL_Running', 'Seconds_Behind_Source'],
      rows: [['Yes', 'Yes', '0']],
    });
    expect(replica.status).toBe('L7OK');
    expect(judgeReplication(spec, { columns, rows: [] })).toEqual({ status: 'L7OK', text: 'not a replica' });
    expect(judgeReplication({ ...spec, requireReplica: true }, { columns, rows: [] }).status).toBe('L7STS');
  });
});

describe('agent replies', () => {
  it('parses words in any order, case and separator', () => {
    expect(parseAgentReply('DRAIN, 75% maxconn:30\n')).toMatchObject({
      admin: 'drain',
      weightPercent: 75,
      maxconn: 30,
      state: undefined,
    });
    expect(parseAgentReply('down #disk full')).toMatchObject({ state: 'down', stateText: 'disk full' });
    // As in HAProxy, `#` starts a description only at the start of a word.
    expect(parseAgentReply('down#planned')).toMatchObject({ state: undefined, unknown: ['down#planned'] });
    expect(parseAgentReply('up ready 100%')).toMatchObject({
      state: 'up',
      admin: 'ready',
      weightPercent: 100,
    });
    expect(parseAgentReply('hello').unknown).toEqual(['hello']);
  });

  it('words agent_status and last_agt as HAProxy 2.6 shows them', () => {
    expect(agentVerdict(parseAgentReply('up'))).toEqual({ status: 'L7OK', text: 'via agent : up' });
    expect(agentVerdict(parseAgentReply('drain'))).toEqual({ status: 'CHECKED', text: '' });
    expect(agentVerdict(parseAgentReply('foo 50%'))).toEqual({
      status: 'CHECKED',
      text: 'agent reports an error : foo',
    });
    expect(agentVerdict(parseAgentReply('stopped #maintenance window'))).toEqual({
      status: 'L7STS',
      text: 'via agent : stopped (maintenance window)',
    });
  });

  it('sends agent-send and reads one line', async () => {
    let asked = '';
    const port = await peer((s) =>
      s.once('data', (d: Buffer) => {
        asked = d.toString();
        s.end('stopped #planned\n');
      }),
    );
    const sockets: CheckSocket[] = [];
    const io = probeIo({
      endpoint: { host: () => '127.0.0.1', port: () => port },
      localAddress: undefined,
      timeouts: { connectMs: 500, readAfterConnectMs: 500, overallMs: 1000 },
      startedAt: performance.now(),
      proxyVersion: 0,
      serverState: () => '',
      sockets,
    });
    const outcome = await runAgentCheck(io, 'be/s1\n');
    for (const s of sockets) s.close();
    expect(asked).toBe('be/s1\n');
    expect(outcome.verdict).toEqual({ status: 'L7STS', text: 'via agent : stopped (planned)' });
    expect(outcome.reply?.state).toBe('stopped');
  });
});
