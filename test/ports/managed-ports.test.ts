import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LBD_ENTRY } from '../support/lbd.js';

const execFileAsync = promisify(execFile);
const SCENARIO = fileURLToPath(new URL('./managed-scenario.ts', import.meta.url));

interface Outcome {
  held: number;
  perServer: number[];
  closed: number;
}

/**
 * Managed source ports against the kernel's choice, one source address and
 * two servers, in a network namespace where the kernel's range and lbd's are
 * both 1,000 ports (managed-scenario.ts). 2,500 clients each time.
 */
describe('lbd-picked source ports', () => {
  it('hold the range once per server, where a bind to port 0 holds it once for all servers', async () => {
    const { stdout } = await execFileAsync('unshare', ['-n', process.execPath, SCENARIO, LBD_ENTRY], {
      timeout: 150_000,
    });
    const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Outcome>;
    if (process.env.PORTS_E2E_PRINT === '1') console.table(results);
    // `source ADDR:30000-30999`: one port serves both servers, 1,000 each.
    expect(results.managed).toEqual({ held: 2000, perServer: [1000, 1000], closed: 500 });
    // `source ADDR`: bind(ADDR, 0) then connect(); the kernel's port is taken for every server.
    expect(results['kernel-bind']).toMatchObject({ held: 1000, closed: 1500 });
    // No `source`: connect() alone may share a port across servers, but only from the one address the route gives.
    expect(results['kernel-connect']).toEqual({ held: 2000, perServer: [1000, 1000], closed: 500 });
  }, 180_000);
});
