import { describe, expect, it } from 'vitest';
import { encodeProxyV1, encodeProxyV2, parseProxyHeader } from './proxy-protocol.js';

const v4 = {
  sourceAddress: '127.0.0.7',
  sourcePort: 40001,
  destinationAddress: '127.0.0.1',
  destinationPort: 3306,
};

describe('PROXY protocol', () => {
  it('writes v1 as the spec spells it', () => {
    expect(encodeProxyV1(v4).toString()).toBe('PROXY TCP4 127.0.0.7 127.0.0.1 40001 3306\r\n');
    expect(encodeProxyV1({ ...v4, sourceAddress: '::ffff:127.0.0.7' }).toString()).toContain(
      'TCP4 127.0.0.7',
    );
  });

  it('round-trips v1 and v2, IPv4 and IPv6, keeping the bytes after the header', () => {
    const v6 = {
      sourceAddress: '2001:db8::7',
      sourcePort: 1,
      destinationAddress: '::1',
      destinationPort: 65535,
    };
    for (const encode of [encodeProxyV1, encodeProxyV2]) {
      for (const addresses of [v4, v6]) {
        const result = parseProxyHeader(Buffer.concat([encode(addresses), Buffer.from('hello')]));
        expect(result.status).toBe('done');
        if (result.status !== 'done') return;
        expect(result.rest.toString()).toBe('hello');
        expect(result.addresses?.sourcePort).toBe(addresses.sourcePort);
        expect(result.addresses?.destinationPort).toBe(addresses.destinationPort);
      }
    }
    const parsed = parseProxyHeader(encodeProxyV2(v4));
    expect(parsed.status === 'done' && parsed.addresses?.sourceAddress).toBe('127.0.0.7');
  });

  it('asks for more bytes on a partial header, byte by byte', () => {
    const header = encodeProxyV2(v4);
    for (let i = 1; i < header.length; i++) {
      expect(parseProxyHeader(header.subarray(0, i)).status).toBe('incomplete');
    }
    const line = encodeProxyV1(v4);
    expect(parseProxyHeader(line.subarray(0, 20)).status).toBe('incomplete');
  });

  it('refuses garbage, oversized and malformed headers', () => {
    expect(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n')).status).toBe('error');
    expect(parseProxyHeader(Buffer.from(`PROXY TCP4 ${'9'.repeat(120)}`)).status).toBe('error');
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n')).status).toBe('error');
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 99999 2\r\n')).status).toBe('error');
  });

  it('keeps the socket addresses for UNKNOWN and LOCAL', () => {
    const unknown = parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\nx'));
    expect(unknown).toMatchObject({ status: 'done', addresses: undefined });
    const local = encodeProxyV2(v4);
    local[12] = 0x20;
    expect(parseProxyHeader(local)).toMatchObject({ status: 'done', addresses: undefined });
  });
});
