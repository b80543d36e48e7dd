import { describe, expect, it } from 'vitest';
import { CheckSourceRotation } from './check-source.js';

const take = (rotation: CheckSourceRotation, n: number, now = 0) =>
  Array.from({ length: n }, () => rotation.next(now));

describe('CheckSourceRotation', () => {
  it('goes through every source address in turn', () => {
    const rotation = new CheckSourceRotation(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(take(rotation, 7)).toEqual([
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
      '127.0.0.2',
    ]);
  });

  it('leaves the choice to the kernel without source, and always uses a single address', () => {
    expect(take(new CheckSourceRotation([]), 2)).toEqual([undefined, undefined]);
    expect(take(new CheckSourceRotation(['10.0.0.9']), 2)).toEqual(['10.0.0.9', '10.0.0.9']);
  });

  it('passes over an address that is out of ports until it is usable again', () => {
    const blocked = new Map([['127.0.0.3', 1000]]);
    const rotation = new CheckSourceRotation(
      ['127.0.0.2', '127.0.0.3', '127.0.0.4'],
      (a) => blocked.get(a) ?? 0,
    );
    expect(take(rotation, 4, 500)).toEqual(['127.0.0.2', '127.0.0.4', '127.0.0.2', '127.0.0.4']);
    // Blocked until 1000: usable from then on, and its turn comes back.
    expect(take(rotation, 3, 1000)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });

  it('still checks when every address is out of ports, in turn', () => {
    const rotation = new CheckSourceRotation(['127.0.0.2', '127.0.0.3'], () => 2000);
    expect(take(rotation, 3, 0)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.2']);
  });
});
