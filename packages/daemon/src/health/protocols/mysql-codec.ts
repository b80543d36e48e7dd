import { createHash } from 'node:crypto';

/**
 * The client side of the MySQL/MariaDB wire protocol, as much as a health
 * check needs: the server greeting (handshake v10), the login packet in both
 * formats, the mysql_native_password scramble, OK/ERR/auth-switch replies,
 * COM_QUERY with a text result set, and COM_QUIT. Pure functions over
 * buffers, so they are tested on captured bytes.
 */

/** Capability flags lbd uses (protocol constants). */
export const CAPS = {
  LONG_PASSWORD: 0x1,
  LONG_FLAG: 0x4,
  CONNECT_WITH_DB: 0x8,
  PROTOCOL_41: 0x200,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  PLUGIN_AUTH: 0x80000,
  PLUGIN_AUTH_LENENC_DATA: 0x200000,
  DEPRECATE_EOF: 0x1000000,
} as const;

/** The only authentication method lbd speaks. */
export const NATIVE_PASSWORD = 'mysql_native_password';

const UTF8MB4_GENERAL_CI = 45;
const MAX_PACKET = 16 * 1024 * 1024;

/** One protocol packet: its sequence id and payload. */
export interface Packet {
  seq: number;
  payload: Buffer;
}

/** A parser's answer: a value and how many bytes it used, or undefined when more bytes are needed. */
export type Take<T> = { value: T; used: number } | undefined;

/** Thrown for bytes that are not the protocol: the check reports an invalid response. */
export class MysqlProtocolError extends Error {
  override readonly name = 'MysqlProtocolError';
}

/** Splits one packet off the front of `buf`. */
export function takePacket(buf: Buffer): Take<Packet> {
  if (buf.length < 4) return undefined;
  const length = buf.readUIntLE(0, 3);
  if (buf.length < 4 + length) return undefined;
  return { value: { seq: buf[3]!, payload: buf.subarray(4, 4 + length) }, used: 4 + length };
}

/** Frames a payload as a packet with sequence id `seq`. */
export function framePacket(seq: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUIntLE(payload.length, 0, 3);
  head[3] = seq & 0xff;
  return Buffer.concat([head, payload]);
}

/** The server greeting (Protocol::HandshakeV10). */
export interface Greeting {
  protocolVersion: number;
  serverVersion: string;
  connectionId: number;
  capabilities: number;
  /** The scramble (salt) for password authentication, 20 bytes with current servers. */
  salt: Buffer;
  /** Authentication plugin the server proposes; undefined from servers without plugin auth. */
  authPlugin: string | undefined;
}

/** An ERR packet: error number, SQL state when present, and the server's message. */
export interface ServerError {
  code: number;
  sqlState: string | undefined;
  message: string;
}

function cString(buf: Buffer, at: number): { text: string; next: number } {
  const end = buf.indexOf(0, at);
  if (end < 0) return { text: buf.toString('utf8', at), next: buf.length };
  return { text: buf.toString('utf8', at, end), next: end + 1 };
}

/** Whether a payload is an ERR packet. */
export function isErr(payload: Buffer): boolean {
  return payload[0] === 0xff;
}

/** Whether a payload is an OK packet. */
export function isOk(payload: Buffer): boolean {
  return payload[0] === 0x00;
}

/** Parses an ERR packet; before the handshake it has no SQL state marker. */
export function parseErr(payload: Buffer): ServerError {
  if (payload[0] !== 0xff || payload.length < 3) throw new MysqlProtocolError('not an ERR packet');
  const code = payload.readUInt16LE(1);
  if (payload[3] === 0x23 /* '#' */ && payload.length >= 9) {
    return { code, sqlState: payload.toString('latin1', 4, 9), message: payload.toString('utf8', 9) };
  }
  return { code, sqlState: undefined, message: payload.toString('utf8', 3) };
}

/** Parses the greeting; throws {@link MysqlProtocolError} when it is not protocol 10. */
export function parseGreeting(payload: Buffer): Greeting {
  const protocolVersion = payload[0];
  if (protocolVersion !== 10) {
    throw new MysqlProtocolError(
      `unexpected protocol version ${protocolVersion ?? 'none'} in the server greeting`,
    );
  }
  const version = cString(payload, 1);
  let at = version.next;
  if (payload.length < at + 4 + 8 + 1 + 2) throw new MysqlProtocolError('truncated server greeting');
  const connectionId = payload.readUInt32LE(at);
  at += 4;
  const salt1 = payload.subarray(at, at + 8);
  at += 9; // 8 bytes of salt and a filler
  let capabilities = payload.readUInt16LE(at);
  at += 2;
  let salt = Buffer.from(salt1);
  let authPlugin: string | undefined;
  if (payload.length >= at + 16) {
    at += 3; // character set (1 byte) and status flags (2)
    capabilities |= payload.readUInt16LE(at) << 16;
    capabilities >>>= 0;
    at += 2;
    const saltLength = payload[at]!;
    at += 1 + 10; // reserved (MariaDB keeps its extended capabilities there)
    if (capabilities & CAPS.SECURE_CONNECTION) {
      const rest = Math.max(13, saltLength - 8);
      const part2 = payload.subarray(at, Math.min(payload.length, at + rest));
      at += rest;
      // The second part ends with a NUL that is not part of the scramble.
      const trimmed = part2[part2.length - 1] === 0 ? part2.subarray(0, part2.length - 1) : part2;
      salt = Buffer.concat([salt1, trimmed]);
    }
    if (capabilities & CAPS.PLUGIN_AUTH && at < payload.length) authPlugin = cString(payload, at).text;
  }
  return { protocolVersion, serverVersion: version.text, connectionId, capabilities, salt, authPlugin };
}

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * mysql_native_password: SHA1(password) XOR SHA1(salt + SHA1(SHA1(password))).
 * An empty password sends an empty response.
 */
export function scrambleNativePassword(password: string, salt: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const stage2 = sha1(stage1);
  const mix = sha1(salt.subarray(0, 20), stage2);
  const out = Buffer.alloc(stage1.length);
  for (let i = 0; i < out.length; i++) out[i] = stage1[i]! ^ mix[i]!;
  return out;
}

/** What goes in a login packet. */
export interface LoginOptions {
  user: string;
  /** The scrambled password (empty for no password). */
  authResponse: Buffer;
  /** The server's capabilities: plugin auth is only announced when the server has it. */
  serverCapabilities: number;
}

/** HandshakeResponse41: the login packet of protocol 4.1 and later (`post-41`). */
export function buildLogin41(options: LoginOptions): Buffer {
  let caps =
    CAPS.LONG_PASSWORD | CAPS.LONG_FLAG | CAPS.PROTOCOL_41 | CAPS.TRANSACTIONS | CAPS.SECURE_CONNECTION;
  const plugin = (options.serverCapabilities & CAPS.PLUGIN_AUTH) !== 0;
  if (plugin) caps |= CAPS.PLUGIN_AUTH;
  const head = Buffer.alloc(32);
  head.writeUInt32LE(caps >>> 0, 0);
  head.writeUInt32LE(MAX_PACKET, 4);
  head[8] = UTF8MB4_GENERAL_CI;
  const parts = [
    head,
    Buffer.from(`${options.user}\0`, 'utf8'),
    Buffer.from([options.authResponse.length]),
    options.authResponse,
  ];
  if (plugin) parts.push(Buffer.from(`${NATIVE_PASSWORD}\0`, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * HandshakeResponse320: the login packet of the pre-4.1 protocol, HAProxy's
 * default for `mysql-check user`. It carries no password.
 */
export function buildLogin320(user: string): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(CAPS.LONG_PASSWORD | CAPS.LONG_FLAG | CAPS.TRANSACTIONS, 0);
  head.writeUIntLE(MAX_PACKET - 1, 2, 3);
  return Buffer.concat([head, Buffer.from(`${user}\0`, 'utf8')]);
}

/** An auth-switch request (0xFE): the server wants another plugin with a new salt. */
export interface AuthSwitch {
  plugin: string;
  salt: Buffer;
}

/** Parses an auth-switch request; undefined when the payload is something else. */
export function parseAuthSwitch(payload: Buffer): AuthSwitch | undefined {
  if (payload[0] !== 0xfe || payload.length < 2) return undefined;
  const plugin = cString(payload, 1);
  let salt = payload.subarray(plugin.next);
  if (salt[salt.length - 1] === 0) salt = salt.subarray(0, salt.length - 1);
  return { plugin: plugin.text, salt: Buffer.from(salt) };
}

/** COM_QUIT, a packet of its own (sequence 0). */
export function comQuit(): Buffer {
  return framePacket(0, Buffer.from([0x01]));
}

/** COM_QUERY with `sql`, a packet of its own (sequence 0). */
export function comQuery(sql: string): Buffer {
  return framePacket(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]));
}

/** A length-encoded integer at `at`; `null` for the NULL marker (0xFB) of a row. */
function lenenc(buf: Buffer, at: number): { value: number | null; next: number } {
  const first = buf[at];
  if (first === undefined) throw new MysqlProtocolError('truncated length-encoded integer');
  if (first < 0xfb) return { value: first, next: at + 1 };
  if (first === 0xfb) return { value: null, next: at + 1 };
  if (first === 0xfc) return { value: buf.readUInt16LE(at + 1), next: at + 3 };
  if (first === 0xfd) return { value: buf.readUIntLE(at + 1, 3), next: at + 4 };
  if (first === 0xfe) return { value: Number(buf.readBigUInt64LE(at + 1)), next: at + 9 };
  throw new MysqlProtocolError('bad length-encoded integer');
}

function lenencString(buf: Buffer, at: number): { value: string | null; next: number } {
  const length = lenenc(buf, at);
  if (length.value === null) return { value: null, next: length.next };
  const end = length.next + length.value;
  if (end > buf.length) throw new MysqlProtocolError('truncated length-encoded string');
  return { value: buf.toString('utf8', length.next, end), next: end };
}

/** An EOF packet (0xFE, short), which ends column definitions and rows. */
function isEof(payload: Buffer): boolean {
  return payload[0] === 0xfe && payload.length < 9;
}

/** A text result set: column names and rows of nullable strings. */
export interface ResultSet {
  columns: string[];
  rows: (string | null)[][];
}

/** What a COM_QUERY returned: rows, an OK without rows, or an error. */
export type QueryReply =
  | { kind: 'rows'; result: ResultSet }
  | { kind: 'ok' }
  | { kind: 'error'; error: ServerError };

/**
 * Reads a whole COM_QUERY reply from the front of `buf` (several packets),
 * or undefined while some are missing. Assumes the login did not ask for
 * CLIENT_DEPRECATE_EOF, so column definitions and rows end with EOF packets.
 */
export function takeQueryReply(buf: Buffer): Take<QueryReply> {
  let at = 0;
  const next = (): Packet | undefined => {
    const packet = takePacket(buf.subarray(at));
    if (packet === undefined) return undefined;
    at += packet.used;
    return packet.value;
  };
  const first = next();
  if (first === undefined) return undefined;
  if (isErr(first.payload)) return { value: { kind: 'error', error: parseErr(first.payload) }, used: at };
  if (first.payload[0] === 0x00) return { value: { kind: 'ok' }, used: at };
  const count = lenenc(first.payload, 0).value;
  if (count === null || count === 0) throw new MysqlProtocolError('bad column count in result set');
  const columns: string[] = [];
  for (let i = 0; i < count; i++) {
    const def = next();
    if (def === undefined) return undefined;
    columns.push(parseColumnName(def.payload));
  }
  const eof = next();
  if (eof === undefined) return undefined;
  if (!isEof(eof.payload)) throw new MysqlProtocolError('missing EOF after column definitions');
  const rows: (string | null)[][] = [];
  for (;;) {
    const row = next();
    if (row === undefined) return undefined;
    if (isEof(row.payload)) break;
    if (isErr(row.payload)) return { value: { kind: 'error', error: parseErr(row.payload) }, used: at };
    const cells: (string | null)[] = [];
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const cell = lenencString(row.payload, pos);
      cells.push(cell.value);
      pos = cell.next;
    }
    rows.push(cells);
  }
  return { value: { kind: 'rows', result: { columns, rows } }, used: at };
}

/** The column name of a ColumnDefinition41 (its fifth string, after catalog, schema, table, org_table). */
function parseColumnName(payload: Buffer): string {
  let at = 0;
  for (let i = 0; i < 4; i++) at = lenencString(payload, at).next;
  return lenencString(payload, at).value ?? '';
}
