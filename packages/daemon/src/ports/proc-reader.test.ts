import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ipv6Bytes, scanProcNet } from './proc-reader.js';
import { countBound, pairKey, type ScanWatch } from './socket-table.js';
import { stateCounts } from './tcp-states.js';

/** A /proc/net/tcp and tcp6 in the kernel's own layout (the same sockets as ss-reader.test.ts). */
const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

const watch: ScanWatch = {
  destinations: [
    { host: '127.0.0.1', port: 3306 },
    { host: '::1', port: 6379 },
  ],
  sources: ['127.0.0.2'],
};

describe('scanProcNet', () => {
  it('reads both tables in the kernel layout, slot numbers of any width included', async () => {
    const scan = await scanProcNet(watch, FIXTURES);
    expect(scan.reader).toBe('procfs');
    expect(scan.sockets).toBe(7);
    expect(stateCounts(scan.pairs.get(pairKey('127.0.0.2', '127.0.0.1', 3306))!.states)).toEqual({
      ESTABLISHED: 1,
      TIME_WAIT: 1,
      FIN_WAIT2: 1,
    });
    expect(stateCounts(scan.pairs.get(pairKey('127.0.0.3', '127.0.0.1', 3306))!.states)).toEqual({
      TIME_WAIT: 1,
    });
    expect(stateCounts(scan.pairs.get(pairKey('::1', '::1', 6379))!.states)).toEqual({ CLOSE_WAIT: 1 });
    expect(scan.pairs.size).toBe(3);
    expect(countBound(scan.boundPorts.get('127.0.0.2')!, 1, 65535)).toBe(4);
  });

  it('finds nothing where there is no table', async () => {
    const scan = await scanProcNet(watch, '/nonexistent');
    expect(scan.sockets).toBe(0);
  });

  it('expands IPv6 text to bytes', () => {
    expect(ipv6Bytes('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(ipv6Bytes('::ffff:127.0.0.1').slice(10)).toEqual([255, 255, 127, 0, 0, 1]);
  });
});
