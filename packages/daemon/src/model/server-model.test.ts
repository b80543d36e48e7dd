import { describe, expect, it } from 'vitest';
import { modelWith, serverConfig } from '../proxy/test-fixtures.js';

function server(extra: Parameters<typeof serverConfig>[2] = {}) {
  return modelWith([serverConfig('s', 1, { check: true, rise: 2, fall: 3, ...extra })]).findServer(
    'be',
    's',
  )!;
}

describe('ServerModel status, as HAProxy 2.6 prints it', () => {
  it('shows UP n/fall while health falls and DOWN n/rise while it rises', () => {
    const s = server();
    expect(s.status).toBe('UP 1/3');
    s.check.health = 4;
    expect(s.status).toBe('UP');
    s.check.health = 3;
    expect(s.status).toBe('UP 2/3');
    s.setHealth('down', 'test');
    s.check.health = 0;
    expect(s.status).toBe('DOWN');
    s.check.health = 1;
    expect(s.status).toBe('DOWN 1/2');
  });

  it('puts MAINT first, then DOWN, then NOLB, then DRAIN', () => {
    const s = server();
    s.check.health = 4;
    s.setSoftDown(true, 'lag');
    expect(s.status).toBe('NOLB');
    s.setAdmin('drain', 'test');
    expect(s.status).toBe('NOLB');
    s.setSoftDown(false, 'caught up');
    expect(s.status).toBe('DRAIN');
    s.setHealth('down', 'test');
    expect(s.status).toBe('DOWN');
    s.setAdmin('maint', 'test');
    expect(s.status).toBe('MAINT');
  });

  it('names the agent for its drain and down, and shows no check when checks are off', () => {
    const agent = server({ agent: { port: 1, interMs: 1000 } });
    agent.check.health = 4;
    agent.setAdmin('drain', 'agent');
    expect(agent.status).toBe('DRAIN (agent)');
    agent.setAdmin('ready', 'agent');
    agent.check.agentHealth = 0;
    agent.setHealth('down', 'agent');
    expect(agent.status).toBe('DOWN (agent)');
    expect(server({ check: false }).status).toBe('no check');
  });

  it('shows weight 0 as UP (HAProxy 2.6 does), but takes no new connection', () => {
    const s = server();
    s.check.health = 4;
    s.setWeight(0, 'test');
    expect(s.status).toBe('UP');
    expect(s.acceptsNewConnections).toBe(false);
  });

  it('takes no new connections while soft-down, and says so in a change event', () => {
    const model = modelWith([serverConfig('s', 1, { check: true })]);
    const s = model.findServer('be', 's')!;
    const changes: string[] = [];
    model.onServerChange((c) => changes.push(`${c.field} ${c.from}->${c.to}`));
    expect(s.acceptsNewConnections).toBe(true);
    s.setSoftDown(true, 'lag');
    expect(s.acceptsNewConnections).toBe(false);
    s.setSoftDown(false, 'caught up');
    expect(changes).toEqual(['health up->nolb', 'health nolb->up']);
  });
});
