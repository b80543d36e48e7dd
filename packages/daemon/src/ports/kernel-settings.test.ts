import { describe, expect, it } from 'vitest';
import { LINUX_DEFAULTS, parseReservedPorts, timeWaitReusable, usablePorts } from './kernel-settings.js';

describe('kernel port settings', () => {
  it('subtracts the reserved ports inside the range', () => {
    const reserved = parseReservedPorts('1000-1005, 40000,60990-61010,bad');
    expect(reserved).toEqual([
      { low: 1000, high: 1005 },
      { low: 40000, high: 40000 },
      { low: 60990, high: 61010 },
    ]);
    expect(usablePorts({ low: 32768, high: 60999 }, reserved)).toBe(28232 - 1 - 10);
  });

  it('knows when Linux reuses a TIME_WAIT tuple for an outgoing connection', () => {
    expect(timeWaitReusable(LINUX_DEFAULTS, '127.0.0.2', '10.0.0.1')).toBe(true);
    expect(timeWaitReusable(LINUX_DEFAULTS, '10.0.0.2', '10.0.0.1')).toBe(false);
    expect(timeWaitReusable({ ...LINUX_DEFAULTS, tcpTwReuse: 1 }, '10.0.0.2', '10.0.0.1')).toBe(true);
    expect(
      timeWaitReusable({ ...LINUX_DEFAULTS, tcpTwReuse: 1, tcpTimestamps: 0 }, '10.0.0.2', '10.0.0.1'),
    ).toBe(false);
  });
});
