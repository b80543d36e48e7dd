import { isIPv4, isIPv6 } from 'node:net';

/** The connection a PROXY header describes: the client and the address it reached. */
export interface ProxiedAddresses {
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** A v1 line is at most 107 bytes including CRLF (the spec's worst case). */
const V1_MAX_LENGTH = 107;
/** lbd reads TLVs but keeps none; a larger v2 header is refused rather than buffered. */
const V2_MAX_LENGTH = 16 + 2048;

/** Strips the `::ffff:` prefix Node gives IPv4 peers on dual-stack sockets. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** PROXY protocol v1 (text) header, as `send-proxy` writes it. */
export function encodeProxyV1(a: ProxiedAddresses): Buffer {
  const src = plainAddress(a.sourceAddress);
  const dst = plainAddress(a.destinationAddress);
  const family = isIPv4(src) && isIPv4(dst) ? 'TCP4' : 'TCP6';
  const [s, d] = family === 'TCP6' ? [asIPv6(src), asIPv6(dst)] : [src, dst];
  return Buffer.from(`PROXY ${family} ${s} ${d} ${a.sourcePort} ${a.destinationPort}\r\n`, 'latin1');
}

/** PROXY protocol v2 (binary) header, as `send-proxy-v2` writes it (no TLVs). */
export function encodeProxyV2(a: ProxiedAddresses): Buffer {
  const src = plainAddress(a.sourceAddress);
  const dst = plainAddress(a.destinationAddress);
  const v4 = isIPv4(src) && isIPv4(dst);
  const addressLength = v4 ? 12 : 36;
  const header = Buffer.alloc(16 + addressLength);
  V2_SIGNATURE.copy(header, 0);
  header[12] = 0x21; // version 2, command PROXY
  header[13] = v4 ? 0x11 : 0x21; // TCP over IPv4 / IPv6
  header.writeUInt16BE(addressLength, 14);
  if (v4) {
    writeIPv4(header, 16, src);
    writeIPv4(header, 20, dst);
    header.writeUInt16BE(a.sourcePort, 24);
    header.writeUInt16BE(a.destinationPort, 26);
  } else {
    writeIPv6(header, 16, asIPv6(src));
    writeIPv6(header, 32, asIPv6(dst));
    header.writeUInt16BE(a.sourcePort, 48);
    header.writeUInt16BE(a.destinationPort, 50);
  }
  return header;
}

/** Outcome of reading a PROXY header from the start of a connection. */
export type ProxyHeaderResult =
  | { status: 'incomplete' }
  | { status: 'error'; message: string }
  /** `addresses` is undefined for LOCAL / UNKNOWN headers: keep the socket's own. */
  | { status: 'done'; addresses: ProxiedAddresses | undefined; rest: Buffer };

/**
 * Parses a v1 or v2 PROXY header from the bytes received so far. Call again
 * with more bytes while it answers `incomplete`; the caller bounds the wait.
 */
export function parseProxyHeader(data: Buffer): ProxyHeaderResult {
  if (data.length === 0) return { status: 'incomplete' };
  if (data[0] === 0x0d) return parseV2(data);
  if (data[0] === 0x50) return parseV1(data);
  return { status: 'error', message: 'not a PROXY protocol header' };
}

function parseV1(data: Buffer): ProxyHeaderResult {
  const prefix = 'PROXY ';
  const seen = data.subarray(0, Math.min(data.length, prefix.length)).toString('latin1');
  if (!prefix.startsWith(seen)) return { status: 'error', message: 'not a PROXY protocol header' };
  const end = data.indexOf('\r\n');
  if (end < 0) {
    return data.length >= V1_MAX_LENGTH
      ? { status: 'error', message: 'PROXY v1 header longer than 107 bytes' }
      : { status: 'incomplete' };
  }
  const words = data.subarray(0, end).toString('latin1').split(' ');
  const rest = data.subarray(end + 2);
  if (words[1] === 'UNKNOWN') return { status: 'done', addresses: undefined, rest };
  if (words.length !== 6 || (words[1] !== 'TCP4' && words[1] !== 'TCP6')) {
    return { status: 'error', message: 'malformed PROXY v1 header' };
  }
  const [, family, src, dst, sport, dport] = words as [string, string, string, string, string, string];
  const validAddress = family === 'TCP4' ? isIPv4 : isIPv6;
  const sourcePort = parsePort(sport);
  const destinationPort = parsePort(dport);
  if (!validAddress(src) || !validAddress(dst) || sourcePort < 0 || destinationPort < 0) {
    return { status: 'error', message: 'malformed PROXY v1 header' };
  }
  return {
    status: 'done',
    addresses: { sourceAddress: src, sourcePort, destinationAddress: dst, destinationPort },
    rest,
  };
}

function parseV2(data: Buffer): ProxyHeaderResult {
  const signatureSeen = Math.min(data.length, V2_SIGNATURE.length);
  if (!data.subarray(0, signatureSeen).equals(V2_SIGNATURE.subarray(0, signatureSeen))) {
    return { status: 'error', message: 'not a PROXY protocol header' };
  }
  if (data.length < 16) return { status: 'incomplete' };
  const versionCommand = data[12]!;
  if (versionCommand >> 4 !== 2) return { status: 'error', message: 'unsupported PROXY protocol version' };
  const length = 16 + data.readUInt16BE(14);
  if (length > V2_MAX_LENGTH) return { status: 'error', message: 'PROXY v2 header too long' };
  if (data.length < length) return { status: 'incomplete' };
  const rest = data.subarray(length);
  const command = versionCommand & 0x0f;
  const familyProtocol = data[13]!;
  if (command === 0x0) return { status: 'done', addresses: undefined, rest }; // LOCAL: health checks
  if (command !== 0x1) return { status: 'error', message: 'unsupported PROXY v2 command' };
  if (familyProtocol === 0x11 && length >= 28) {
    return {
      status: 'done',
      addresses: {
        sourceAddress: readIPv4(data, 16),
        destinationAddress: readIPv4(data, 20),
        sourcePort: data.readUInt16BE(24),
        destinationPort: data.readUInt16BE(26),
      },
      rest,
    };
  }
  if (familyProtocol === 0x21 && length >= 52) {
    return {
      status: 'done',
      addresses: {
        sourceAddress: readIPv6(data, 16),
        destinationAddress: readIPv6(data, 32),
        sourcePort: data.readUInt16BE(48),
        destinationPort: data.readUInt16BE(50),
      },
      rest,
    };
  }
  // UNSPEC or a non-TCP family: the spec says to keep the socket's own addresses.
  return { status: 'done', addresses: undefined, rest };
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) return -1;
  const port = Number(text);
  return port <= 65535 ? port : -1;
}

function asIPv6(address: string): string {
  return isIPv4(address) ? `::ffff:${address}` : address;
}

function writeIPv4(target: Buffer, offset: number, address: string): void {
  address.split('.').forEach((part, i) => {
    target[offset + i] = Number(part);
  });
}

function readIPv4(source: Buffer, offset: number): string {
  return `${source[offset]}.${source[offset + 1]}.${source[offset + 2]}.${source[offset + 3]}`;
}

/** Writes an IPv6 address (with `::` compression or an embedded IPv4 tail) as 16 bytes. */
function writeIPv6(target: Buffer, offset: number, address: string): void {
  let text = address;
  const v4Tail = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4Tail) {
    const parts = v4Tail[1]!.split('.').map(Number);
    text = `${text.slice(0, -v4Tail[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  groups.forEach((group, i) => {
    target.writeUInt16BE(Number.parseInt(group, 16), offset + i * 2);
  });
}

function readIPv6(source: Buffer, offset: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(source.readUInt16BE(offset + i * 2).toString(16));
  return groups.join(':');
}
