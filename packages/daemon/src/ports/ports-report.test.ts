import { PORTS_REPORT_SCHEMA, validateSchema } from '@lbctl/protocol';
import { describe, expect, it } from 'vitest';
import { LINUX_DEFAULTS } from './kernel-settings.js';
import { buildPortsReport, projectExhaustion, type ReportInput, type ServerSample } from './ports-report.js';
import { renderPortsText } from './ports-text.js';
import { addToPair, countSocket, emptyScan, type TableScan } from './socket-table.js';
import { TCP_ESTABLISHED, TCP_TIME_WAIT } from './tcp-states.js';

function server(extra: Partial<ServerSample> = {}): ServerSample {
  return {
    backend: 'be',
    server: 's1',
    host: '127.0.0.1',
    port: 3306,
    mode: 'managed',
    addresses: ['127.0.0.2'],
    range: { low: 40000, high: 40999 },
    nolinger: false,
    connectRate: 0,
    live: 0,
    sourcePortFailures: 0,
    recentFailures: 0,
    perAddress: new Map(),
    ...extra,
  };
}

function scanWith(source: string, established: number, timeWait: number, firstPort = 40000): TableScan {
  const scan = emptyScan('sock_diag', { destinations: [], sources: [] });
  const pair = addToPair(scan, source, { host: '127.0.0.1', port: 3306 });
  let port = firstPort;
  for (let i = 0; i < established; i++) countSocket(pair, TCP_ESTABLISHED, port++);
  for (let i = 0; i < timeWait; i++) countSocket(pair, TCP_TIME_WAIT, port++);
  scan.totals[TCP_TIME_WAIT] = timeWait;
  scan.sockets = established + timeWait;
  return scan;
}

function input(scan: TableScan, servers: ServerSample[]): ReportInput {
  return {
    now: 1_700_000_000_000,
    intervalMs: 5000,
    cpuPct: 0.3,
    scan,
    kernel: LINUX_DEFAULTS,
    fds: { inUse: 40, limit: 20000, maxsock: 8300, maxconn: 4096 },
    servers,
  };
}

describe('buildPortsReport', () => {
  it('counts a managed pair against its own range, with headroom and level', () => {
    const report = buildPortsReport(input(scanWith('127.0.0.2', 600, 250), [server()]));
    const [pair] = report.pairs;
    expect(pair).toMatchObject({
      source: '127.0.0.2',
      destination: '127.0.0.1:3306',
      servers: ['be/s1'],
      mode: 'managed',
      usable: 1000,
      inUse: 850,
      headroom: 150,
      headroomPct: 15,
      states: { ESTABLISHED: 600, TIME_WAIT: 250 },
      level: 'warning',
    });
    expect(pair!.advice.join('\n')).toMatch(/add source addresses/);
    expect(report.level).toBe('warning');
    expect(report.sources).toEqual([
      {
        source: '127.0.0.2',
        pairs: 1,
        sockets: 850,
        states: { ESTABLISHED: 600, TIME_WAIT: 250 },
        connectRate: 0,
        minHeadroomPct: 15,
      },
    ]);
    // Plain JSON: what the runtime API sends is what was built.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('is critical with no headroom, or when connections failed for lack of ports', () => {
    const full = buildPortsReport(input(scanWith('127.0.0.2', 1000, 0), [server()]));
    expect(full.pairs[0]).toMatchObject({ headroom: 0, headroomPct: 0, level: 'critical' });
    const failing = buildPortsReport(input(scanWith('127.0.0.2', 10, 0), [server({ recentFailures: 3 })]));
    expect(failing.pairs[0]!.level).toBe('critical');
  });

  it('lists every configured address, and the kernel-chosen ones seen when there is no source', () => {
    const two = buildPortsReport(
      input(scanWith('127.0.0.2', 1, 0), [server({ addresses: ['127.0.0.2', '127.0.0.3'] })]),
    );
    expect(two.pairs.map((p) => [p.source, p.inUse])).toEqual([
      ['127.0.0.2', 1],
      ['127.0.0.3', 0],
    ]);
    const kernel = buildPortsReport(
      input(scanWith('127.0.0.1', 5, 5, 33000), [
        server({ mode: 'kernel-connect', addresses: [], range: undefined }),
      ]),
    );
    expect(kernel.pairs[0]).toMatchObject({
      source: '127.0.0.1',
      range: { low: 32768, high: 60999 },
      usable: 28232,
      inUse: 10,
    });
    const none = buildPortsReport(
      input(emptyScan('sock_diag', { destinations: [], sources: [] }), [
        server({ mode: 'kernel-connect', addresses: [] }),
      ]),
    );
    expect(none.pairs[0]!.source).toBe('*');
  });

  it("counts lbd's own connections when the scan skipped ESTABLISHED sockets", () => {
    const scan = scanWith('127.0.0.2', 0, 100);
    scan.established = false;
    const perAddress = new Map([
      [
        '127.0.0.2',
        { live: 700, addressLive: 700, coolingTimeWait: 100, coolingRefused: 0, connectRate: 0, refusals: 0 },
      ],
    ]);
    const report = buildPortsReport(input(scan, [server({ perAddress })]));
    expect(report.pairs[0]).toMatchObject({ inUse: 800, states: { ESTABLISHED: 700, TIME_WAIT: 100 } });
  });

  it('matches the protocol schema that show-ports and the ports-report topic publish', () => {
    const report = buildPortsReport(
      input(scanWith('127.0.0.2', 600, 250), [
        server({
          connectRate: 40,
          perAddress: new Map([
            [
              '127.0.0.2',
              {
                live: 600,
                addressLive: 600,
                coolingTimeWait: 250,
                coolingRefused: 1,
                connectRate: 40,
                refusals: 2,
              },
            ],
          ]),
        }),
        server({ server: 's2', port: 3307, mode: 'kernel-connect', addresses: [], range: undefined }),
      ]),
    );
    expect(report.pairs.map((p) => [p.level, p.exhaustionSeconds])).toEqual([
      ['warning', 4],
      ['ok', null],
    ]);
    expect(validateSchema(PORTS_REPORT_SCHEMA, report)).toBeUndefined();
  });

  it('renders the HAProxy-dialect text: version, headers, one line per row, advice lines', () => {
    const report = buildPortsReport(input(scanWith('127.0.0.2', 1000, 0), [server()]));
    const text = renderPortsText(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('1');
    expect(text).toContain(
      '127.0.0.2 127.0.0.1:3306 managed 40000-40999 1000 1000 0 0 1000 0 0 0 0 0 0 1000 - 0 critical be/s1',
    );
    expect(text).toContain('be s1 127.0.0.1:3306 managed 127.0.0.2 0 0');
    expect(text).toMatch(/^! critical 127\.0\.0\.2 -> 127\.0\.0\.1:3306: add source addresses/m);
    expect(text.endsWith('\n\n')).toBe(true);
  });
});

describe('projectExhaustion', () => {
  it('is null when the steady state fits, else headroom over the net consumption', () => {
    expect(projectExhaustion(500, 1000, 800, 10, 0)).toBeNull();
    // 100/s for 60 s needs 6,000 ports of 1,000: 500 left, 100/s in, 200/60 s out.
    expect(projectExhaustion(500, 1000, 6000, 100, 200)).toBe(5);
    expect(projectExhaustion(0, 1000, 6000, 100, 1000)).toBe(0);
  });
});
