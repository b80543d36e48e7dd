import { isIPv4, isIPv6 } from 'node:net';
import type { PortRange, SourceConfig } from './types.js';
import { type Parsed, parseInteger } from './units.js';

/**
 * Socket addresses as HAProxy writes them: `host:port`, `*:port`, `:port`,
 * `[::1]:port`, and IPv6 without brackets where the part after the LAST colon
 * is the port (`::1:3306` is `::1` port 3306), with optional `ipv4@`/`ipv6@`
 * prefixes. lbd only speaks TCP, so UNIX, UDP and inherited-fd forms are
 * refused with a reason rather than misread.
 */

/** An address family forced by a prefix such as `ipv6@`. */
export type Family = 'ipv4' | 'ipv6';

/** One `bind` address; a port range stands for one listener per port. */
export interface BindAddress {
  host: string;
  ports: PortRange;
  family?: Family;
}

/** A `server` address: the host may be a name, resolved when lbd starts. */
export interface ServerAddress {
  host: string;
  port: number;
  family?: Family;
}

interface Split {
  host: string;
  /** Text after the port separator; undefined when there is none or it is empty. */
  port?: string;
  family?: Family;
  /** The address without its prefix, for IPv6 diagnostics. */
  bare: string;
}

const PREFIX_FAMILY: Readonly<Record<string, Family | undefined>> = {
  ipv4: 'ipv4',
  tcp4: 'ipv4',
  ipv6: 'ipv6',
  tcp6: 'ipv6',
  tcp: undefined,
};

const NOT_TCP_PREFIX: Readonly<Record<string, string>> = {
  unix: 'UNIX sockets',
  abns: 'abstract UNIX sockets',
  abnsz: 'abstract UNIX sockets',
  uxst: 'UNIX sockets',
  uxdg: 'UNIX datagram sockets',
  fd: 'inherited file descriptors',
  sockpair: 'socket pairs',
  udp: 'UDP',
  udp4: 'UDP',
  udp6: 'UDP',
  quic4: 'QUIC',
  quic6: 'QUIC',
  rhttp: 'reverse HTTP',
};

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

function splitAddress(text: string): Parsed<Split> {
  let rest = text;
  let family: Family | undefined;
  const at = /^([A-Za-z0-9]+)@/.exec(text);
  if (at) {
    const prefix = at[1]!.toLowerCase();
    const refused = NOT_TCP_PREFIX[prefix];
    if (refused !== undefined) {
      return {
        ok: false,
        kind: 'unsupported',
        reason: `${refused} ('${prefix}@') are not supported: lbd uses TCP only`,
      };
    }
    if (!(prefix in PREFIX_FAMILY)) return { ok: false, reason: `unknown address prefix '${prefix}@'` };
    family = PREFIX_FAMILY[prefix];
    rest = text.slice(at[0].length);
  }
  if (rest.startsWith('/')) {
    return {
      ok: false,
      kind: 'unsupported',
      reason: 'UNIX socket paths are not supported: lbd uses TCP only',
    };
  }
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { ok: false, reason: "missing ']' after the IPv6 address" };
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':'))
      return { ok: false, reason: `unexpected '${after}' after ']'` };
    const host = rest.slice(1, close);
    if (!isIPv6(host)) return { ok: false, reason: `'${host}' in brackets is not an IPv6 address` };
    return { ok: true, value: withPort(withFamily({ host, bare: rest }, family), after.slice(1)) };
  }
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return { ok: true, value: withFamily({ host: rest, bare: rest }, family) };
  return {
    ok: true,
    value: withPort(withFamily({ host: rest.slice(0, colon), bare: rest }, family), rest.slice(colon + 1)),
  };
}

function withPort(split: Split, port: string): Split {
  return port === '' ? split : { ...split, port };
}

function withFamily(split: Split, family: Family | undefined): Split {
  return family === undefined ? split : { ...split, family };
}

/**
 * Checks a host: an IP literal matching any forced family, a DNS name when
 * `names` allows it, or a wildcard (`*` or empty) when `wildcard` allows it.
 */
function checkHost(split: Split, names: boolean, wildcard: boolean): Parsed<string> {
  const { host, family } = split;
  if (host === '' || host === '*') {
    if (!wildcard) return { ok: false, reason: `an address is needed, not '${host || split.bare}'` };
    return { ok: true, value: family === 'ipv6' ? '::' : host };
  }
  if (isIPv4(host)) {
    if (family === 'ipv6')
      return { ok: false, reason: `'${host}' is an IPv4 address but the prefix asks for IPv6` };
    return { ok: true, value: host };
  }
  if (isIPv6(host)) {
    if (family === 'ipv4')
      return { ok: false, reason: `'${host}' is an IPv6 address but the prefix asks for IPv4` };
    return { ok: true, value: host };
  }
  if (isIPv6(split.bare)) {
    return {
      ok: false,
      reason:
        `'${split.bare}' reads as host '${host}' and port '${split.port ?? ''}' (as in HAProxy, the part ` +
        `after the last ':' is the port); write '[${split.bare}]:PORT'`,
    };
  }
  if (/^[\d.]+$/.test(host)) return { ok: false, reason: `'${host}' is not a valid IPv4 address` };
  if (host.includes(':')) return { ok: false, reason: `'${host}' is not a valid IPv6 address` };
  if (!names || !HOST_NAME.test(host) || host.length > 253) {
    return { ok: false, reason: `'${host}' is not a valid ${names ? 'host name or ' : ''}IP address` };
  }
  return { ok: true, value: host };
}

/** Parses a port (1..65535) or, when `range` allows, `LOW-HIGH`. */
export function parsePortRange(text: string, range: boolean): Parsed<PortRange> {
  const dash = text.indexOf('-', 1);
  if (range && dash > 0) {
    const low = parsePort(text.slice(0, dash));
    if (!low.ok) return low;
    const high = parsePort(text.slice(dash + 1));
    if (!high.ok) return high;
    if (low.value > high.value) return { ok: false, reason: `port range '${text}' goes backwards` };
    return { ok: true, value: { low: low.value, high: high.value } };
  }
  const port = parsePort(text);
  return port.ok ? { ok: true, value: { low: port.value, high: port.value } } : port;
}

function parsePort(text: string): Parsed<number> {
  if (!/^\d+$/.test(text)) return { ok: false, reason: `'${text}' is not a port number (1 to 65535)` };
  const port = parseInteger(text, 1, 65535);
  return port.ok ? port : { ok: false, reason: `port ${text} is out of range (1 to 65535)` };
}

/** Parses the comma-separated address list of a `bind` line (`ADDR:PORT[,ADDR:PORT...]`). */
export function parseBindAddresses(text: string): Parsed<BindAddress[]> {
  const out: BindAddress[] = [];
  for (const part of text.split(',')) {
    const split = splitAddress(part);
    if (!split.ok) return split;
    const host = checkHost(split.value, true, true);
    if (!host.ok) return host;
    if (split.value.port === undefined) {
      return { ok: false, kind: 'missing', reason: "the port is missing: write ADDR:PORT, such as '*:3306'" };
    }
    const ports = parsePortRange(split.value.port, true);
    if (!ports.ok) return ports;
    const family = split.value.family;
    out.push(
      family === undefined
        ? { host: host.value, ports: ports.value }
        : { host: host.value, ports: ports.value, family },
    );
  }
  return { ok: true, value: out };
}

/** Parses the address of a `server` line; the port is mandatory in lbd. */
export function parseServerAddress(text: string): Parsed<ServerAddress> {
  const split = splitAddress(text);
  if (!split.ok) return split;
  const { port, family } = split.value;
  if (split.value.host === '' || split.value.host === '*') {
    return {
      ok: false,
      kind: 'unsupported',
      reason: "no host: forwarding to the client's original destination address is not supported",
    };
  }
  const host = checkHost(split.value, true, false);
  if (!host.ok) return host;
  if (port === undefined) {
    return {
      ok: false,
      kind: 'missing',
      reason:
        'the port is missing: write ADDR:PORT (a server without a port, meaning ' +
        '"the port the client connected to", is not supported)',
    };
  }
  if (/^[+-]\d+$/.test(port)) {
    return {
      ok: false,
      kind: 'unsupported',
      reason: `relative port '${port}' (an offset from the port the client connected to) is not supported`,
    };
  }
  const range = parsePortRange(port, false);
  if (!range.ok) return range;
  const value: ServerAddress = { host: host.value, port: range.value.low };
  if (family !== undefined) value.family = family;
  return { ok: true, value };
}

/** Parses a host without a port, as in the server `addr` and `agent-addr` parameters. */
export function parseHost(text: string): Parsed<string> {
  if (isIPv4(text) || isIPv6(text)) return { ok: true, value: text };
  const split = splitAddress(text);
  if (!split.ok) return split;
  if (split.value.port !== undefined) return { ok: false, reason: 'expected an address without a port' };
  return checkHost(split.value, true, false);
}

/**
 * Parses a `source` value. lbd extends HAProxy's `ADDR[:PORT[-PORT]]` with a
 * comma-separated list of addresses (`10.0.0.5,10.0.0.6:1025-65000`) so that
 * one backend can use more source ports than a single address offers; the
 * port range, written once or on every address, applies to all of them.
 * The addresses must differ and be of one family (a server is reached over
 * one), and a wildcard cannot be mixed with addresses.
 */
export function parseSource(text: string): Parsed<SourceConfig> {
  const addresses: string[] = [];
  let portRange: PortRange | undefined;
  for (const part of text.split(',')) {
    const split = splitAddress(part);
    if (!split.ok) return split;
    const host = checkHost(split.value, false, true);
    if (!host.ok) return host;
    const address = host.value === '' || host.value === '*' ? '0.0.0.0' : host.value;
    if (addresses.includes(address)) return { ok: false, reason: `address ${address} is given twice` };
    addresses.push(address);
    const port = split.value.port;
    // Port 0 means "any port", as when no port is written.
    if (port === undefined || port === '0') continue;
    const range = parsePortRange(port, true);
    if (!range.ok) return range;
    if (portRange && (portRange.low !== range.value.low || portRange.high !== range.value.high)) {
      return { ok: false, reason: 'different port ranges: one range applies to every address' };
    }
    portRange = range.value;
  }
  if (addresses.length > 1) {
    if (addresses.some((a) => a === '0.0.0.0' || a === '::')) {
      return { ok: false, reason: "a wildcard ('*', 0.0.0.0, ::) cannot be listed with other addresses" };
    }
    if (new Set(addresses.map((a) => isIPv6(a))).size > 1) {
      return { ok: false, reason: 'IPv4 and IPv6 addresses mixed: a server is reached over one family' };
    }
  }
  return { ok: true, value: portRange ? { addresses, portRange } : { addresses } };
}
