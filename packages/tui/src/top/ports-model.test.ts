import { describe, expect, it } from 'vitest';
import {
  applyPortsUpdate,
  exhaustionSeconds,
  headroomLevel,
  kernelSettings,
  reportFromPressure,
  tightestPair,
} from './ports-model.js';

const kernel = {
  portRange: { low: 32768, high: 60999 },
  tcpTwReuse: 2,
  tcpFinTimeoutS: 60,
  tcpMaxTwBuckets: 262144,
};

describe('ports model', () => {
  it('turns a pressure event into a pair with its range, level and server', () => {
    const model = applyPortsUpdate(
      undefined,
      0,
      reportFromPressure({
        topic: 'ports',
        time: 1000,
        source: '127.0.0.2',
        destination: '127.0.0.1:3306',
        used: 27000,
        available: 1232,
        level: 'critical',
      }),
      (d) => (d === '127.0.0.1:3306' ? 'mysql/db1' : undefined),
    );
    expect(model.pairs).toHaveLength(1);
    expect(model.pairs[0]).toMatchObject({
      used: 27000,
      range: 28232,
      level: 'critical',
      server: 'mysql/db1',
    });
  });

  it('updates a pair from later reports and projects the time to exhaustion from the trend', () => {
    const report = (time: number, used: number) => ({
      time,
      complete: false,
      pairs: [{ source: 'a', destination: 'd:1', used, range: 1000 }],
    });
    let model = applyPortsUpdate(undefined, 0, report(0, 100), () => undefined);
    model = applyPortsUpdate(model, 0, report(10_000, 200), () => undefined);
    expect(model.pairs).toHaveLength(1);
    // 10 ports/s, 800 left: 80 s.
    expect(model.pairs[0]!.exhaustionSec).toBe(80);
    // Fewer ports in use than a minute ago: not running out.
    model = applyPortsUpdate(model, 0, report(20_000, 50), () => undefined);
    expect(model.pairs[0]!.exhaustionSec).toBeUndefined();
  });

  it('replaces the whole list on a complete snapshot', () => {
    const first = applyPortsUpdate(
      undefined,
      0,
      { time: 0, complete: true, pairs: [{ source: 'a', destination: 'x:1', used: 1, range: 10 }] },
      () => undefined,
    );
    const second = applyPortsUpdate(
      first,
      0,
      { time: 1, complete: true, pairs: [{ source: 'a', destination: 'y:1', used: 1, range: 10 }] },
      () => undefined,
    );
    expect(second.pairs.map((p) => p.destination)).toEqual(['y:1']);
  });

  it('grades headroom and finds the tightest pair', () => {
    expect(headroomLevel(95, 100)).toBe('critical');
    expect(headroomLevel(80, 100)).toBe('warning');
    expect(headroomLevel(10, 100)).toBe('ok');
    expect(exhaustionSeconds([[0, 5]], 10)).toBeUndefined();
    const model = applyPortsUpdate(
      undefined,
      0,
      {
        time: 0,
        complete: true,
        pairs: [
          { source: 'a', destination: 'x:1', used: 10, range: 100 },
          { source: 'b', destination: 'x:1', used: 60, range: 100 },
        ],
      },
      () => undefined,
    );
    expect(tightestPair(model.pairs)?.source).toBe('b');
  });

  it('warns where a kernel setting is the limit', () => {
    const ok = kernelSettings(kernel, 100, ['127.0.0.1:3306']);
    expect(ok.map((s) => s.warning)).toEqual([undefined, undefined, undefined, undefined]);
    const bad = kernelSettings(
      { portRange: { low: 50000, high: 60000 }, tcpTwReuse: 0, tcpFinTimeoutS: 120, tcpMaxTwBuckets: 1000 },
      900,
      ['10.0.0.5:3306'],
    );
    expect(bad.map((s) => s.name)).toEqual([
      'ip_local_port_range',
      'tcp_tw_reuse',
      'tcp_fin_timeout',
      'tcp_max_tw_buckets',
    ]);
    expect(bad.every((s) => s.warning !== undefined)).toBe(true);
    const loopbackOnly = kernelSettings(kernel, 0, ['10.0.0.5:3306']);
    expect(loopbackOnly[1]!.warning).toMatch(/loopback only/);
  });
});
