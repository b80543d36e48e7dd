import type { ConfigError } from '../../config/errors.js';
import type { HealthCheckConfig, ProxyConfig } from '../../config/types.js';
import { parseDuration } from '../../config/units.js';
import type { CheckSpec, MysqlReplicaSpec } from '../check-types.js';
import { Secret } from '../secret.js';
import { SpecErrors } from './errors.js';
import { parseHttpCheck } from './http-check-spec.js';
import { parseTcpCheckRules } from './tcp-check-spec.js';

/** A backend's typed health check, or the configuration errors that prevent it. */
export interface CheckSpecResult {
  spec: CheckSpec;
  errors: ConfigError[];
}

function noArgs(errors: SpecErrors, option: HealthCheckConfig): void {
  if (option.args.length > 0) {
    errors.bad(option.where, `option ${option.type}`, `it takes no argument, got '${option.args[0]}'`);
  }
}

function parseMysql(errors: SpecErrors, option: HealthCheckConfig): CheckSpec {
  const [word, user, version, extra] = option.args;
  const usage = 'option mysql-check [user NAME [post-41|pre-41]]';
  if (word === undefined) return { kind: 'mysql', user: undefined, post41: false };
  if (word !== 'user') errors.unknownWord(option.where, word, 'option mysql-check', ['user']);
  else if (user === undefined) errors.missing(option.where, 'option mysql-check', usage);
  else if (version !== undefined && version !== 'post-41' && version !== 'pre-41') {
    errors.unknownWord(option.where, version, 'option mysql-check', ['post-41', 'pre-41']);
  } else if (extra !== undefined) {
    errors.bad(option.where, 'option mysql-check', `unexpected word '${extra}' (usage: ${usage})`);
  }
  return { kind: 'mysql', user, post41: version === 'post-41' };
}

const REPLICA_USAGE =
  'option mysql-replica-check user NAME password SECRET [max-lag SECONDS] [require-replica]';

/**
 * lbd's replica-aware MySQL check. The password is never echoed in an error
 * message: configuration errors end up in logs and terminals.
 */
function parseMysqlReplica(errors: SpecErrors, option: HealthCheckConfig): CheckSpec {
  const what = 'option mysql-replica-check';
  const spec: MysqlReplicaSpec = {
    kind: 'mysql-replica',
    user: '',
    password: new Secret(''),
    maxLagSeconds: undefined,
    requireReplica: false,
  };
  let hasUser = false;
  let hasPassword = false;
  const args = option.args;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === 'require-replica') {
      spec.requireReplica = true;
      continue;
    }
    if (word !== 'user' && word !== 'password' && word !== 'max-lag') {
      errors.unknownWord(option.where, word, what, ['user', 'password', 'max-lag', 'require-replica']);
      return spec;
    }
    const value = args[++i];
    if (value === undefined) {
      errors.missing(option.where, what, REPLICA_USAGE);
      return spec;
    }
    if (word === 'user') {
      spec.user = value;
      hasUser = true;
    } else if (word === 'password') {
      spec.password = new Secret(value);
      hasPassword = true;
    } else {
      // A bare number is seconds, the unit of Seconds_Behind_Master.
      const lag = parseDuration(value, 's');
      if (!lag.ok) errors.bad(option.where, `${what} max-lag`, `'${value}': ${lag.reason}`);
      else spec.maxLagSeconds = Math.floor(lag.value / 1000);
    }
  }
  if (!hasUser || !hasPassword) {
    errors.add(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      option.where,
      `'${what}' needs ${hasUser ? "'password'" : "'user'"} (usage: ${REPLICA_USAGE})`,
    );
  }
  return spec;
}

function parsePgsql(errors: SpecErrors, option: HealthCheckConfig): CheckSpec {
  const [word, user, extra] = option.args;
  if (word !== 'user' || user === undefined || extra !== undefined) {
    errors.missing(option.where, 'option pgsql-check', 'option pgsql-check user NAME');
  }
  return { kind: 'pgsql', user: user ?? '' };
}

function parseSmtp(errors: SpecErrors, option: HealthCheckConfig): CheckSpec {
  const [hello, domain, extra] = option.args;
  if (hello === undefined) return { kind: 'smtp', hello: 'HELO', domain: 'localhost' };
  const upper = hello.toUpperCase();
  if ((upper !== 'HELO' && upper !== 'EHLO') || domain === undefined || extra !== undefined) {
    errors.bad(option.where, 'option smtpchk', 'usage: option smtpchk [HELO|EHLO DOMAIN]');
    return { kind: 'smtp', hello: 'HELO', domain: 'localhost' };
  }
  return { kind: 'smtp', hello: upper, domain };
}

function fromOption(errors: SpecErrors, proxy: ProxyConfig, option: HealthCheckConfig): CheckSpec {
  switch (option.type) {
    case 'mysql-check':
      return parseMysql(errors, option);
    case 'mysql-replica-check':
      return parseMysqlReplica(errors, option);
    case 'pgsql-check':
      return parsePgsql(errors, option);
    case 'redis-check':
      noArgs(errors, option);
      return { kind: 'redis' };
    case 'ldap-check':
      noArgs(errors, option);
      return { kind: 'ldap' };
    case 'ssl-hello-chk':
      noArgs(errors, option);
      return { kind: 'ssl-hello' };
    case 'smtpchk':
      return parseSmtp(errors, option);
    case 'httpchk':
      return parseHttpCheck(errors, option, proxy.httpCheckRules ?? []);
    case 'tcp-check':
      noArgs(errors, option);
      return { kind: 'tcp-check', steps: parseTcpCheckRules(errors, proxy.tcpCheckRules ?? []) };
  }
}

/**
 * Types a backend's health check from its `option ...` line and its
 * `tcp-check` / `http-check` rules. No option means a plain TCP connect.
 * As in HAProxy, rules of the other kind (`http-check` under `option
 * tcp-check`) play no part.
 */
export function parseCheckSpec(proxy: ProxyConfig): CheckSpecResult {
  const errors = new SpecErrors();
  const option = proxy.healthCheck;
  const spec: CheckSpec = option === undefined ? { kind: 'connect' } : fromOption(errors, proxy, option);
  return { spec, errors: errors.list };
}

/** Just the errors, for the configuration checker (`lbd -c`). */
export function healthCheckErrors(proxy: ProxyConfig): ConfigError[] {
  return parseCheckSpec(proxy).errors;
}
