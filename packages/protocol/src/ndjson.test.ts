import { describe, expect, it } from 'vitest';
import { NdjsonDecoder, parseJsonLine } from './ndjson.js';

describe('NdjsonDecoder', () => {
  it('splits on LF, drops one CR, keeps a partial line for the next chunk', () => {
    const d = new NdjsonDecoder(100);
    expect(d.push(Buffer.from('{"a":1}\r\n{"b"'))).toEqual([{ kind: 'line', text: '{"a":1}' }]);
    expect(d.buffered).toBe(4);
    expect(d.push(Buffer.from(':2}\n'))).toEqual([{ kind: 'line', text: '{"b":2}' }]);
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const d = new NdjsonDecoder(100);
    const bytes = Buffer.from('"é"\n');
    expect(d.push(bytes.subarray(0, 2))).toEqual([]);
    expect(d.push(bytes.subarray(2))).toEqual([{ kind: 'line', text: '"é"' }]);
  });

  it('reports invalid UTF-8 and goes on', () => {
    const d = new NdjsonDecoder(100);
    expect(d.push(Buffer.from([0x7b, 0xff, 0x7d, 0x0a, 0x31, 0x0a]))).toEqual([
      { kind: 'invalid-utf8', bytes: 4 },
      { kind: 'line', text: '1' },
    ]);
  });

  it('reports a line over the limit once, with or without its LF, then reads nothing more', () => {
    const whole = new NdjsonDecoder(8);
    expect(whole.push(Buffer.from('123456789\nok\n'))).toEqual([{ kind: 'too-long', bytes: 10 }]);
    expect(whole.push(Buffer.from('ok\n'))).toEqual([]);
    const partial = new NdjsonDecoder(8);
    expect(partial.push(Buffer.from('1234'))).toEqual([]);
    expect(partial.push(Buffer.from('5678'))).toEqual([{ kind: 'too-long', bytes: 8 }]);
  });

  it('accepts a line of exactly the limit, LF included', () => {
    expect(new NdjsonDecoder(8).push(Buffer.from('1234567\n'))).toEqual([{ kind: 'line', text: '1234567' }]);
  });
});

describe('parseJsonLine', () => {
  it('throws LB_ERR_BAD_JSON with the reason', () => {
    expect(() => parseJsonLine('{nope')).toThrow(expect.objectContaining({ code: 'LB_ERR_BAD_JSON' }));
    expect(parseJsonLine('[1]')).toEqual([1]);
  });
});
