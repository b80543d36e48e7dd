import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanup } from '../support/cleanup.js';
import { type Lbd, startLbd } from '../support/lbd.js';
import { lbdConfig } from '../support/lbd-config.js';
import { type MariaDbServer, startMariaDbPair, stopMariaDbs } from '../support/mariadb.js';
import { queryPort } from '../support/mysql-client.js';
import { portsFor } from '../support/ports.js';
import { type StatRow, statRow, waitForStat } from '../support/stats.js';
import { makeTempDir, removeTempDirs } from '../support/tmp.js';
import { waitForTransition } from './transitions.js';
import { startXinetdAgent, type XinetdAgent } from './xinetd.js';

const ports = portsFor('health-agents');
const LB_HTTP = ports.local(0);
const LB_AGENT = ports.local(1);
const XINETD_PORT = ports.local(2);
const AGENT_PORT = ports.local(3);

const cleanup = createCleanup();
let db1: MariaDbServer;
let db2: MariaDbServer;
let lbd: Lbd;
let stats: string;
let xinetd: XinetdAgent;
/** What the agent-check agent answers next. */
let agentReply = 'up ready 100%';

/** A minimal agent: one line per connection, then close, as HAProxy agents do. */
function startAgent(port: number): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end(`${agentReply}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

beforeAll(async () => {
  cleanup.defer(removeTempDirs);
  [db1, db2] = cleanup.add(await startMariaDbPair([ports.mariadb[0], ports.mariadb[1]]), stopMariaDbs);
  const dir = await makeTempDir('health-agents');
  xinetd = cleanup.add(await startXinetdAgent(dir, XINETD_PORT), (x) => x.stop());
  cleanup.add(await startAgent(AGENT_PORT), (s) => new Promise((resolve) => s.close(resolve)));
  stats = join(dir, 'stats.sock');
  const config = lbdConfig(
    { statsSocket: stats },
    `
    listen http_agent
      bind 127.0.0.1:${LB_HTTP}
      log global
      option httpchk GET /mysql-health HTTP/1.0
      http-check expect status 200
      timeout check 1s
      server db1 127.0.0.1:${db1.port} check port ${XINETD_PORT} inter 300ms fall 2 rise 2

    listen agent_check
      bind 127.0.0.1:${LB_AGENT}
      log global
      balance roundrobin
      server db1 127.0.0.1:${db1.port} weight 10 check inter 300ms agent-check agent-port ${AGENT_PORT} agent-inter 200ms
      server db2 127.0.0.1:${db2.port} weight 10 check inter 300ms
    `,
  );
  lbd = cleanup.add(await startLbd(config, { dir }), (l) => l.stop());
});
afterAll(() => cleanup.run());

const row = (rows: StatRow[], proxy: string, server: string) => statRow(rows, proxy, server);

async function answering(port: number, count: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) seen.add(await queryPort({ port }));
  return seen;
}

describe('HTTP agent under xinetd (option httpchk)', () => {
  it('follows the agent: 200 is UP, 503 is DOWN, 200 again is UP', async () => {
    let rows = await waitForStat(stats, (r) => row(r, 'http_agent', 'db1').status === 'UP');
    expect(row(rows, 'http_agent', 'db1').check_status).toMatch(/^(\* )?L7OK$/);
    expect(row(rows, 'http_agent', 'db1').check_code).toBe('200');
    expect(await queryPort({ port: LB_HTTP })).toBe(db1.port);

    const from = lbd.mark();
    await xinetd.setState('down');
    const down = await waitForTransition(
      lbd,
      { backend: 'http_agent', server: 'db1', to: 'DOWN' },
      10_000,
      from,
    );
    expect(down.reason).toBe('L7STS/503: Service Unavailable');
    rows = await waitForStat(stats, (r) => row(r, 'http_agent', 'db1').status === 'DOWN');
    expect(row(rows, 'http_agent', 'db1').check_code).toBe('503');
    expect(row(rows, 'http_agent', 'db1').last_chk).toBe('Service Unavailable');

    await xinetd.setState('up');
    await waitForTransition(lbd, { backend: 'http_agent', server: 'db1', to: 'UP' }, 10_000, from);
    expect(await queryPort({ port: LB_HTTP })).toBe(db1.port);
  });
});

describe('agent-check', () => {
  it('applies drain, ready, N%, down, up and maint as HAProxy does', async () => {
    await waitForStat(stats, (r) => row(r, 'agent_check', 'db1').status === 'UP');
    let from = lbd.mark();

    agentReply = 'drain';
    await waitForTransition(
      lbd,
      { backend: 'agent_check', server: 'db1', to: 'DRAIN (agent)' },
      10_000,
      from,
    );
    expect(await answering(LB_AGENT, 4)).toEqual(new Set([db2.port]));

    agentReply = 'ready';
    await waitForTransition(lbd, { backend: 'agent_check', server: 'db1', to: 'UP' }, 10_000, from);

    agentReply = '50%';
    let rows = await waitForStat(stats, (r) => row(r, 'agent_check', 'db1').weight === '5');
    expect(row(rows, 'agent_check', 'db1').status).toBe('UP');
    expect(row(rows, 'agent_check', 'db1').agent_status).toBe('CHECKED');
    agentReply = '100%';
    await waitForStat(stats, (r) => row(r, 'agent_check', 'db1').weight === '10');

    from = lbd.mark();
    agentReply = 'down #maintenance window';
    const down = await waitForTransition(
      lbd,
      { backend: 'agent_check', server: 'db1', to: 'DOWN (agent)' },
      10_000,
      from,
    );
    expect(down.source).toBe('agent');
    rows = await waitForStat(stats, (r) => row(r, 'agent_check', 'db1').status === 'DOWN (agent)');
    expect(row(rows, 'agent_check', 'db1').agent_status).toBe('L7STS');
    expect(row(rows, 'agent_check', 'db1').last_agt).toBe('via agent : down (maintenance window)');
    expect(await answering(LB_AGENT, 4)).toEqual(new Set([db2.port]));

    agentReply = 'up';
    await waitForTransition(lbd, { backend: 'agent_check', server: 'db1', to: 'UP' }, 10_000, from);

    from = lbd.mark();
    agentReply = 'maint';
    await waitForTransition(lbd, { backend: 'agent_check', server: 'db1', to: 'MAINT' }, 10_000, from);
    agentReply = 'ready';
    await waitForTransition(lbd, { backend: 'agent_check', server: 'db1', to: 'UP' }, 10_000, from);
    expect(await answering(LB_AGENT, 4)).toEqual(new Set([db1.port, db2.port]));
  });
});
