import { randomBytes } from 'node:crypto';
import type { ReadParser } from '../check-socket.js';
import type { CheckSpec, ProbeIo, Verdict } from '../check-types.js';

/** The protocol checks HAProxy has built in besides MySQL and HTTP: one small exchange each. */

/** Reads one CRLF- (or LF-) terminated line. */
const line: ReadParser<string> = (buf) => {
  const end = buf.indexOf(0x0a);
  if (end < 0) return undefined;
  return { value: buf.toString('latin1', 0, end).replace(/\r$/, ''), used: end + 1 };
};

/** `option redis-check`: `PING` must get `+PONG`. */
export async function runRedisCheck(io: ProbeIo): Promise<Verdict> {
  const socket = await io.connect();
  socket.write('PING\r\n');
  const reply = await socket.read(line);
  if (reply === '+PONG') return { status: 'L7OK', text: '+PONG' };
  if (reply.startsWith('-')) return { status: 'L7STS', text: reply.slice(1) };
  return { status: 'L7RSP', text: `unexpected reply '${reply.slice(0, 64)}'` };
}

/** A PostgreSQL backend message: type byte and body. */
const pgMessage: ReadParser<{ type: string; body: Buffer }> = (buf) => {
  if (buf.length < 5) return undefined;
  const length = buf.readUInt32BE(1);
  if (buf.length < 1 + length) return undefined;
  return {
    value: { type: String.fromCharCode(buf[0]!), body: buf.subarray(5, 1 + length) },
    used: 1 + length,
  };
};

function pgErrorText(body: Buffer): { text: string; code: string | undefined } {
  let text = 'error';
  let code: string | undefined;
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const field = String.fromCharCode(body[at]!);
    const end = body.indexOf(0, at + 1);
    const value = body.toString('utf8', at + 1, end < 0 ? body.length : end);
    if (field === 'M') text = value;
    if (field === 'C') code = value;
    at = end < 0 ? body.length : end + 1;
  }
  return { text, code };
}

/**
 * `option pgsql-check user NAME`: a protocol 3.0 startup message. Any
 * authentication request (or success) means the server is up; an error
 * response is L7STS with the server's message.
 */
export async function runPgsqlCheck(
  spec: Extract<CheckSpec, { kind: 'pgsql' }>,
  io: ProbeIo,
): Promise<Verdict> {
  const socket = await io.connect();
  const params = Buffer.from(`user\0${spec.user}\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + params.length, 0);
  head.writeUInt32BE(0x00030000, 4);
  socket.write(Buffer.concat([head, params]));
  const reply = await socket.read(pgMessage);
  if (reply.type === 'R') return { status: 'L7OK', text: 'PostgreSQL server is ok' };
  if (reply.type === 'E') {
    const error = pgErrorText(reply.body);
    return { status: 'L7STS', text: error.code ? `${error.code}: ${error.text}` : error.text };
  }
  return { status: 'L7RSP', text: `unexpected PostgreSQL message '${reply.type}'` };
}

/** An SMTP reply, possibly multi-line (`250-...` lines then `250 ...`). */
const smtpReply: ReadParser<{ code: number; text: string }> = (buf) => {
  let at = 0;
  for (;;) {
    const end = buf.indexOf(0x0a, at);
    if (end < 0) return undefined;
    const text = buf.toString('latin1', at, end).replace(/\r$/, '');
    at = end + 1;
    if (text.length < 4 || text[3] !== '-')
      return { value: { code: Number(text.slice(0, 3)), text }, used: at };
  }
};

/** `option smtpchk`: a 2xx greeting, then a 2xx answer to HELO/EHLO. */
export async function runSmtpCheck(
  spec: Extract<CheckSpec, { kind: 'smtp' }>,
  io: ProbeIo,
): Promise<Verdict> {
  const socket = await io.connect();
  const greeting = await socket.read(smtpReply);
  if (!(greeting.code >= 200 && greeting.code < 300)) {
    return { status: 'L7STS', code: greeting.code || undefined, text: greeting.text };
  }
  socket.write(`${spec.hello} ${spec.domain}\r\n`);
  const reply = await socket.read(smtpReply);
  socket.write('QUIT\r\n');
  if (reply.code >= 200 && reply.code < 300) return { status: 'L7OK', code: reply.code, text: reply.text };
  return { status: 'L7STS', code: reply.code || undefined, text: reply.text };
}

/** An LDAPv3 simple bind request, anonymous, message id 1. */
const LDAP_BIND = Buffer.from('300c020101600702010304008000', 'hex');

/** One BER element: tag, and the offsets of its content. */
function berElement(buf: Buffer, at: number): { tag: number; start: number; end: number } | undefined {
  if (buf.length < at + 2) return undefined;
  const tag = buf[at]!;
  let length = buf[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || buf.length < start + bytes) return undefined;
    length = buf.readUIntBE(start, bytes);
    start += bytes;
  }
  return { tag, start, end: start + length };
}

/** `option ldap-check`: an anonymous bind; result code 0 is up. */
export async function runLdapCheck(io: ProbeIo): Promise<Verdict> {
  const socket = await io.connect();
  socket.write(LDAP_BIND);
  const message = await socket.read((buf) => {
    const outer = berElement(buf, 0);
    if (outer === undefined || buf.length < outer.end) return undefined;
    return { value: buf.subarray(0, outer.end), used: outer.end };
  });
  const outer = berElement(message, 0);
  const id = outer && outer.tag === 0x30 ? berElement(message, outer.start) : undefined;
  const op = id ? berElement(message, id.end) : undefined;
  const result = op && op.tag === 0x61 ? berElement(message, op.start) : undefined;
  if (result === undefined || result.tag !== 0x0a)
    return { status: 'L7RSP', text: 'not an LDAP bind response' };
  const code = message.readUIntBE(result.start, result.end - result.start);
  if (code === 0) return { status: 'L7OK', code, text: 'Success' };
  return { status: 'L7STS', code, text: `LDAP result code ${code}` };
}

/** A TLS 1.2 ClientHello with common cipher suites; any TLS record back proves a TLS stack is answering. */
function clientHello(): Buffer {
  const ciphers = Buffer.from('c02fc030c02bc02c009c009d002f0035000a', 'hex');
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    randomBytes(32),
    Buffer.from([0x00]),
    Buffer.from([0x00, ciphers.length]),
    ciphers,
    Buffer.from([0x01, 0x00]),
  ]);
  const handshake = Buffer.concat([Buffer.from([0x01, 0x00, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([
    Buffer.from([0x16, 0x03, 0x01, handshake.length >> 8, handshake.length & 0xff]),
    handshake,
  ]);
}

/** `option ssl-hello-chk`: the reply must start a TLS handshake or alert record (layer 6). */
export async function runSslHelloCheck(io: ProbeIo): Promise<Verdict> {
  const socket = await io.connect();
  socket.write(clientHello());
  const head = await socket.read((buf) =>
    buf.length >= 5 ? { value: buf.subarray(0, 5), used: 5 } : undefined,
  );
  if ((head[0] === 0x16 || head[0] === 0x15) && head[1] === 0x03) return { status: 'L6OK', text: '' };
  return { status: 'L6RSP', text: 'the reply is not a TLS record' };
}
