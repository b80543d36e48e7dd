import { describe, expect, it } from 'vitest';
import { countBound, countInRange, emptyScan, pairKey, type ScanWatch } from './socket-table.js';
import { SsLineParser, ssFilter } from './ss-reader.js';
import { stateCounts } from './tcp-states.js';

const watch: ScanWatch = {
  destinations: [
    { host: '127.0.0.1', port: 3306 },
    { host: '::1', port: 6379 },
  ],
  sources: ['127.0.0.2'],
};

/** `ss -tanH` output as iproute2 6.1 prints it (column padding included). */
const OUTPUT = [
  'LISTEN     0      4096       127.0.0.1:3306        0.0.0.0:*',
  'ESTAB      0      0          127.0.0.2:40000     127.0.0.1:3306',
  'TIME-WAIT  0      0          127.0.0.2:40001     127.0.0.1:3306',
  'TIME-WAIT  0      0          127.0.0.3:40001     127.0.0.1:3306',
  'SYN-SENT   0      1          127.0.0.2:50000     10.9.9.9:22',
  'CLOSE-WAIT 1      0             [::1]:41000         [::1]:6379',
  'FIN-WAIT-2 0      0   [::ffff:127.0.0.2]:40002     [::ffff:127.0.0.1]:3306',
  '',
].join('\n');

describe('SsLineParser', () => {
  it('sorts sockets toward watched servers by source address and state', () => {
    const scan = emptyScan('sock_diag', watch);
    const parser = new SsLineParser(watch, scan);
    // Cut mid-line: the parser must join the pieces.
    parser.write(OUTPUT.slice(0, 100));
    parser.write(OUTPUT.slice(100));
    parser.end();
    expect(scan.sockets).toBe(7);
    const a = scan.pairs.get(pairKey('127.0.0.2', '127.0.0.1', 3306))!;
    expect(stateCounts(a.states)).toEqual({ ESTABLISHED: 1, TIME_WAIT: 1, FIN_WAIT2: 1 });
    expect(countInRange(a, 40000, 40001)).toBe(2);
    expect(stateCounts(scan.pairs.get(pairKey('127.0.0.3', '127.0.0.1', 3306))!.states)).toEqual({
      TIME_WAIT: 1,
    });
    expect(stateCounts(scan.pairs.get(pairKey('::1', '::1', 6379))!.states)).toEqual({ CLOSE_WAIT: 1 });
    // Nothing toward 10.9.9.9:22 (not watched), and the listener is no connection.
    expect(scan.pairs.size).toBe(3);
    // Ports bound on the watched source address, toward any destination.
    const bits = scan.boundPorts.get('127.0.0.2')!;
    expect(countBound(bits, 1, 65535)).toBe(4);
  });

  it('builds a kernel-side filter from the watched servers and source addresses', () => {
    expect(ssFilter(watch)).toBe('dst 127.0.0.1:3306 or dst [::1]:6379 or src 127.0.0.2');
    expect(
      ssFilter({ destinations: [{ host: 'db.example', port: 1 }], sources: ['0.0.0.0'] }),
    ).toBeUndefined();
  });
});
