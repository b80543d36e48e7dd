import type { CheckSocket } from '../check-socket.js';
import type { CheckSpec, MysqlReplicaSpec, ProbeIo, Verdict } from '../check-types.js';
import {
  buildLogin41,
  buildLogin320,
  comQuery,
  comQuit,
  framePacket,
  type Greeting,
  isErr,
  isOk,
  MysqlProtocolError,
  NATIVE_PASSWORD,
  type Packet,
  parseAuthSwitch,
  parseErr,
  parseGreeting,
  type QueryReply,
  type ResultSet,
  scrambleNativePassword,
  takePacket,
  takeQueryReply,
} from './mysql-codec.js';

const packet = (buf: Buffer) => takePacket(buf);
const queryReply = (buf: Buffer) => takeQueryReply(buf);
/** MySQL's "You have an error in your SQL syntax": the server does not know the statement. */
const ER_PARSE_ERROR = 1064;

/**
 * An ERR packet as a verdict. `mysql-check` words it as HAProxy 2.6 does,
 * the SQL state marker glued to the message (`#28000Access denied...`);
 * lbd's own replica check gives the message alone.
 */
function serverError(payload: Buffer, haproxyStyle = false): Verdict {
  const error = parseErr(payload);
  const state = haproxyStyle && error.sqlState !== undefined ? `#${error.sqlState}` : '';
  return { status: 'L7STS', code: error.code, text: `${state}${error.message}` };
}

/** Reads the greeting; a server that refuses us at once (too many connections, blocked host) sends ERR instead. */
async function readGreeting(socket: CheckSocket, haproxyStyle: boolean): Promise<Greeting | Verdict> {
  const first = await socket.read(packet);
  if (isErr(first.payload)) return serverError(first.payload, haproxyStyle);
  return parseGreeting(first.payload);
}

/**
 * Sends the login and follows an auth switch to mysql_native_password.
 * Resolves with undefined once logged in, or with the verdict that ends the check.
 */
async function login(
  socket: CheckSocket,
  greeting: Greeting,
  user: string,
  password: string,
  post41: boolean,
  haproxyStyle: boolean,
): Promise<Verdict | undefined> {
  const loginPacket = post41
    ? buildLogin41({
        user,
        authResponse: scrambleNativePassword(password, greeting.salt),
        serverCapabilities: greeting.capabilities,
      })
    : buildLogin320(user);
  socket.write(framePacket(1, loginPacket));
  let reply: Packet = await socket.read(packet);
  const change = parseAuthSwitch(reply.payload);
  if (change !== undefined) {
    if (change.plugin !== NATIVE_PASSWORD) {
      return {
        status: 'L7RSP',
        text: `the server asks for authentication plugin '${change.plugin}'; lbd speaks ${NATIVE_PASSWORD} only`,
      };
    }
    socket.write(framePacket(reply.seq + 1, scrambleNativePassword(password, change.salt)));
    reply = await socket.read(packet);
  }
  if (isErr(reply.payload)) return serverError(reply.payload, haproxyStyle);
  if (!isOk(reply.payload)) return { status: 'L7RSP', text: 'unexpected reply to the login packet' };
  return undefined;
}

/** How long a clean quit waits for the server to close its side. */
const QUIT_WAIT_MS = 250;

/** COM_QUIT, then a short wait for the server to close, so that it closes first and logs no aborted connection. */
async function quit(socket: CheckSocket): Promise<void> {
  socket.write(comQuit());
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    socket
      .read((buf, ended) => (ended ? { value: true, used: buf.length } : undefined))
      .catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, QUIT_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * HAProxy's `option mysql-check`: without a user, a valid greeting is
 * enough; with one, a login without password must be accepted (then a clean
 * quit). A refused login is L7STS with the server's error number and text.
 * Success is `L7OK`, code 0 and no text, as HAProxy shows it.
 */
export async function runMysqlCheck(
  spec: Extract<CheckSpec, { kind: 'mysql' }>,
  io: ProbeIo,
): Promise<Verdict> {
  const socket = await io.connect();
  const greeting = await readGreeting(socket, true);
  if ('status' in greeting) return greeting;
  if (spec.user !== undefined) {
    const refused = await login(socket, greeting, spec.user, '', spec.post41, true);
    if (refused !== undefined) return refused;
    await quit(socket);
  }
  return { status: 'L7OK', code: 0, text: '' };
}

async function replicationStatus(socket: CheckSocket): Promise<QueryReply> {
  socket.write(comQuery('SHOW SLAVE STATUS'));
  const reply = await socket.read(queryReply);
  // MySQL 8.4 dropped the old spelling.
  if (reply.kind !== 'error' || reply.error.code !== ER_PARSE_ERROR) return reply;
  socket.write(comQuery('SHOW REPLICA STATUS'));
  return socket.read(queryReply);
}

function column(result: ResultSet, row: (string | null)[], ...names: string[]): string | null | undefined {
  for (const name of names) {
    const index = result.columns.indexOf(name);
    if (index >= 0) return row[index];
  }
  return undefined;
}

/**
 * Judges `SHOW SLAVE STATUS` (or `SHOW REPLICA STATUS`): a stopped thread
 * fails the check; lag above `max-lag` (or unknown, while the IO thread
 * reconnects) passes it conditionally, which makes the replica NOLB.
 */
export function judgeReplication(spec: MysqlReplicaSpec, result: ResultSet): Verdict {
  const row = result.rows[0];
  if (row === undefined) {
    return spec.requireReplica
      ? { status: 'L7STS', text: 'not a replica (replication status is empty)' }
      : { status: 'L7OK', text: 'not a replica' };
  }
  const io = column(result, row, 'Slave_IO_Running', 'Replica_IO_Running');
  const sql = column(result, row, 'Slave_SQL_Running', 'Replica_SQL_Running');
  const lagText = column(result, row, 'Seconds_Behind_Master', 'Seconds_Behind_Source');
  if (io === undefined || sql === undefined || lagText === undefined) {
    return { status: 'L7RSP', text: 'replication status lacks the IO/SQL thread or lag columns' };
  }
  if (io === 'No' || sql !== 'Yes') {
    const error = io === 'No' ? column(result, row, 'Last_IO_Error') : column(result, row, 'Last_SQL_Error');
    const detail = error ? `: ${error}` : '';
    return { status: 'L7STS', text: `replication stopped (IO thread ${io}, SQL thread ${sql})${detail}` };
  }
  const lag = lagText === null ? undefined : Number(lagText);
  if (spec.maxLagSeconds !== undefined) {
    if (lag === undefined) {
      return { status: 'L7OKC', text: `replication lag unknown (IO thread ${io})` };
    }
    if (lag > spec.maxLagSeconds) {
      return { status: 'L7OKC', text: `replication lag ${lag}s exceeds max-lag ${spec.maxLagSeconds}s` };
    }
  }
  return { status: 'L7OK', text: `replica lag ${lag === undefined ? 'unknown' : `${lag}s`}` };
}

/**
 * lbd's `option mysql-replica-check`: a real login (mysql_native_password),
 * the replication status, a clean quit. Errors the server sends (a refused
 * login, a missing privilege) are L7STS with its number and text; the
 * password itself is never part of any result.
 */
export async function runMysqlReplicaCheck(spec: MysqlReplicaSpec, io: ProbeIo): Promise<Verdict> {
  const socket = await io.connect();
  const greeting = await readGreeting(socket, false);
  if ('status' in greeting) return greeting;
  const refused = await login(socket, greeting, spec.user, spec.password.reveal(), true, false);
  if (refused !== undefined) return refused;
  const reply = await replicationStatus(socket);
  await quit(socket);
  if (reply.kind === 'error') return { status: 'L7STS', code: reply.error.code, text: reply.error.message };
  if (reply.kind === 'ok') throw new MysqlProtocolError('the replication status query returned no rows');
  return judgeReplication(spec, reply.result);
}
