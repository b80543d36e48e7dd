import { badValue, integerArg, type Line, orList } from './context.js';
import { suggestValue } from './suggest.js';
import type { LogTarget } from './types.js';

const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'auth2',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'cron2',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const FORMATS = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'];

/**
 * Parses `TARGET [len N] [format F] [sample R:N] FACILITY [LEVEL [MINLEVEL]]`
 * (the words after `log`). The target is kept as written: lbd sends its
 * records to stdout whatever it is, but a typo in the facility or level is
 * still worth catching before the file goes back to HAProxy.
 */
export function parseLogTarget(line: Line): LogTarget | undefined {
  const [target, ...rest] = line.args;
  if (target === undefined) {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing argument for '${line.keyword}' (usage: ${line.usage})`,
    );
    return undefined;
  }
  const out: LogTarget = { target, where: line.where };
  let i = 0;
  while (rest[i] === 'len' || rest[i] === 'format' || rest[i] === 'sample') {
    const option = rest[i]!;
    const value = rest[i + 1];
    if (value === undefined) {
      line.ctx.error(
        'LB_ERR_CONFIG_MISSING_ARGUMENT',
        line.where,
        `missing value for '${option}' in '${line.keyword}'`,
      );
      return undefined;
    }
    if (option === 'len') {
      const len = integerArg(line, value, 'log len', 80, 65535);
      if (len === undefined) return undefined;
      out.len = len;
    } else if (option === 'format') {
      if (!FORMATS.includes(value)) {
        badValue(line, value, 'log format', `expected ${orList(FORMATS)}`, suggestValue(value, FORMATS));
        return undefined;
      }
      out.format = value;
    }
    i += 2;
  }
  const [facility, level, minLevel, extra] = rest.slice(i);
  if (facility === undefined) {
    line.ctx.error(
      'LB_ERR_CONFIG_MISSING_ARGUMENT',
      line.where,
      `missing facility for '${line.keyword}' (usage: ${line.usage})`,
    );
    return undefined;
  }
  if (!FACILITIES.includes(facility)) {
    badValue(
      line,
      facility,
      'log facility',
      `expected ${orList(FACILITIES)}`,
      suggestValue(facility, FACILITIES),
    );
    return undefined;
  }
  out.facility = facility;
  for (const [value, key] of [
    [level, 'level'],
    [minLevel, 'minLevel'],
  ] as const) {
    if (value === undefined) break;
    if (!LEVELS.includes(value)) {
      badValue(line, value, 'log level', `expected ${orList(LEVELS)}`, suggestValue(value, LEVELS));
      return undefined;
    }
    out[key] = value;
  }
  if (extra !== undefined) {
    badValue(line, extra, line.keyword, `unexpected word after the levels (usage: ${line.usage})`);
    return undefined;
  }
  return out;
}
