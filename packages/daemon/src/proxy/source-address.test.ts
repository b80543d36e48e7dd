import { describe, expect, it } from 'vitest';
import { releaseEndpoint, SourcePicker } from './source-address.js';

const cooling = { timeWaitMs: () => 60_000, refusedMs: 60_000 };

describe('SourcePicker', () => {
  it('spreads connections over the addresses, least used first', () => {
    const picker = new SourcePicker({ addresses: ['127.0.0.2', '127.0.0.3', '127.0.0.4'] }, cooling);
    const first = [0, 1, 2].map(() => picker.pick('10.0.0.1', 3306, 0)!);
    expect(new Set(first.map((e) => e.address)).size).toBe(3);
    // One address frees up: it is the least used, so the next connection takes it.
    releaseEndpoint(first[1]!, 'free', 0);
    expect(picker.pick('10.0.0.1', 3306, 0)!.address).toBe(first[1]!.address);
  });

  it('with a range, one port serves several servers at once and never two connections to one server', () => {
    const picker = new SourcePicker(
      { addresses: ['127.0.0.2'], portRange: { low: 40000, high: 40001 } },
      cooling,
    );
    const a = [picker.pick('10.0.0.1', 3306, 0), picker.pick('10.0.0.1', 3306, 0)];
    const b = [picker.pick('10.0.0.2', 3306, 0), picker.pick('10.0.0.2', 3306, 0)];
    expect(a.map((e) => e?.port)).toEqual([40000, 40001]);
    expect(b.map((e) => e?.port)).toEqual([40000, 40001]);
    expect(picker.pick('10.0.0.1', 3306, 0)).toBeUndefined();
    // Same host, other port: another server, its own tuples.
    expect(picker.pick('10.0.0.1', 3307, 0)?.port).toBe(40000);
  });

  it('moves to the next address when one is out of ports, and fails when all are', () => {
    const picker = new SourcePicker(
      { addresses: ['127.0.0.2', '127.0.0.3'], portRange: { low: 1, high: 1 } },
      cooling,
    );
    const got = [picker.pick('h', 1, 0), picker.pick('h', 1, 0)];
    expect(got.map((e) => e?.address).sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(picker.pick('h', 1, 0)).toBeUndefined();
    releaseEndpoint(got[0]!, 'time-wait', 0);
    expect(picker.pick('h', 1, 1000)).toBeUndefined();
    expect(picker.pick('h', 1, 60_000)?.address).toBe(got[0]!.address);
  });

  it('rests an address whose kernel-chosen ports ran out, and tries it again once a connection from it ends', () => {
    const picker = new SourcePicker({ addresses: ['127.0.0.2', '127.0.0.3'] }, cooling);
    const a = picker.pick('h', 1, 0)!;
    picker.refuse(a, 0);
    const b = picker.pick('h', 1, 1)!;
    expect(b.address).not.toBe(a.address);
    const c = picker.pick('h', 1, 1)!;
    expect(c.address).toBe(b.address);
    releaseEndpoint(c, 'free', 2);
    // b's address was never refused; a's is resting for a second.
    expect(picker.pick('h', 1, 2)!.address).toBe(b.address);
    expect(picker.pick('h', 1, 1001)!.address).toBe(a.address);
    expect(picker.allPairs().find((p) => p.slot.address === a.address)?.refusals).toBe(1);
  });

  it('counts live connections and attempts per pair', () => {
    const picker = new SourcePicker({ addresses: ['127.0.0.2'], portRange: { low: 5, high: 9 } }, cooling);
    const e = picker.pick('h', 1, 0)!;
    picker.pick('h', 1, 0);
    releaseEndpoint(e, 'time-wait', 0);
    const [pair] = picker.allPairs();
    expect(pair).toMatchObject({ live: 1, opened: 2, host: 'h', port: 1 });
    expect(pair!.ring!.coolingTimeWait).toBe(1);
  });
});
