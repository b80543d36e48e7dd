import { ConnectFailure, ReadFailure } from './check-socket.js';
import type { CheckSpec, ProbeIo, Verdict } from './check-types.js';
import { runHttpCheck } from './protocols/http-check.js';
import { runMysqlCheck, runMysqlReplicaCheck } from './protocols/mysql-check.js';
import {
  runLdapCheck,
  runPgsqlCheck,
  runRedisCheck,
  runSmtpCheck,
  runSslHelloCheck,
} from './protocols/simple-checks.js';
import { runTcpCheck } from './protocols/tcp-check.js';

function exchange(spec: CheckSpec, io: ProbeIo): Promise<Verdict> {
  switch (spec.kind) {
    case 'connect':
      return io.connect().then(() => ({ status: 'L4OK', text: '' }));
    case 'mysql':
      return runMysqlCheck(spec, io);
    case 'mysql-replica':
      return runMysqlReplicaCheck(spec, io);
    case 'pgsql':
      return runPgsqlCheck(spec, io);
    case 'redis':
      return runRedisCheck(io);
    case 'smtp':
      return runSmtpCheck(spec, io);
    case 'ldap':
      return runLdapCheck(io);
    case 'ssl-hello':
      return runSslHelloCheck(io);
    case 'http':
      return runHttpCheck(spec, io);
    case 'tcp-check':
      return runTcpCheck(spec, io);
  }
}

/**
 * Turns what went wrong into HAProxy's status: connect problems are layer 4
 * (L4CON, L4TOUT, SOCKERR); once connected, a deadline is L7TOUT (L6TOUT for
 * the TLS hello) and a closed connection or unreadable reply is L7RSP (L6RSP).
 */
export function verdictOfError(err: unknown, layer6: boolean): Verdict {
  if (err instanceof ConnectFailure) return { status: err.status, text: err.message };
  if (err instanceof ReadFailure && err.kind === 'timeout') {
    return { status: layer6 ? 'L6TOUT' : 'L7TOUT', text: err.message };
  }
  return { status: layer6 ? 'L6RSP' : 'L7RSP', text: err instanceof Error ? err.message : String(err) };
}

/** Runs one check exchange; never throws: every failure is a verdict. */
export async function runProbe(spec: CheckSpec, io: ProbeIo): Promise<Verdict> {
  try {
    return await exchange(spec, io);
  } catch (err) {
    return verdictOfError(err, spec.kind === 'ssl-hello');
  }
}
