import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { computeFdBudget, fdBudgetWarning, PROCESS_BASE_FDS } from './fd-budget.js';

function config(text: string) {
  const parsed = parseConfig([{ path: 'lb.cfg', text }]);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

const CFG = `global
  maxconn 9000
  stats socket /tmp/x.sock level admin
defaults
  mode tcp
listen db
  bind 127.0.0.1:3306
  server a 127.0.0.1:3307 check
  server b 127.0.0.1:3308 check
`;

describe('computeFdBudget', () => {
  it('counts two descriptors per connection plus listeners, sockets, checks and the process base', () => {
    const budget = computeFdBudget(config(CFG), 20000);
    expect(budget.parts).toEqual({
      connections: 18000,
      listeners: 1,
      statsSockets: 11,
      checks: 2,
      base: PROCESS_BASE_FDS,
    });
    expect(budget.maxsock).toBe(18000 + 1 + 11 + 2 + PROCESS_BASE_FDS);
    expect(budget.fits).toBe(true);
    expect(fdBudgetWarning(budget)).toBeUndefined();
  });

  it('warns, with the figures to fix it, when maxconn cannot fit the open-files limit', () => {
    const budget = computeFdBudget(config(CFG.replace('maxconn 9000', 'maxconn 20000')), 20000);
    expect(budget.fits).toBe(false);
    expect(budget.maxconnThatFits).toBe(Math.floor((20000 - 14 - PROCESS_BASE_FDS) / 2));
    expect(fdBudgetWarning(budget)).toMatch(
      /^maxconn 20000 needs up to 40044 file descriptors .* the open-files limit is 20000: past about 9978 connections new ones fail \(EMFILE\)\. Raise the limit \(LimitNOFILE=40044 under systemd, ulimit -n\) or lower maxconn to 9978$/,
    );
  });
});
