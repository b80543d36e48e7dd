import type { CheckRule } from '../../config/types.js';
import { parseInteger } from '../../config/units.js';
import type { TcpCheckStep } from '../check-types.js';
import { compileRegex, type SpecErrors } from './errors.js';

const ACTIONS = ['connect', 'send', 'send-binary', 'expect', 'comment'];
const REFUSED: Readonly<Record<string, string>> = {
  'send-lf': 'log-format strings are not supported; write the bytes with send or send-binary',
  'send-binary-lf': 'log-format strings are not supported; write the bytes with send or send-binary',
  'set-var': 'check variables are not supported',
  'unset-var': 'check variables are not supported',
};
const MATCHES = ['string', 'rstring', 'binary', 'rbinary'] as const;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function hexBytes(errors: SpecErrors, rule: CheckRule, text: string): Buffer | undefined {
  if (HEX.test(text)) return Buffer.from(text, 'hex');
  errors.bad(rule.where, `tcp-check ${rule.args[0]}`, `'${text}' is not an even number of hex digits`);
  return undefined;
}

/** Removes a trailing `comment TEXT` (allowed on every rule). */
function withoutComment(words: string[]): string[] {
  const at = words.indexOf('comment');
  return at >= 0 ? words.slice(0, at) : words;
}

function parseConnect(errors: SpecErrors, rule: CheckRule, words: string[]): TcpCheckStep | undefined {
  const step: Extract<TcpCheckStep, { op: 'connect' }> = {
    op: 'connect',
    sendProxy: false,
    where: rule.where,
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === 'port' || word === 'addr') {
      const value = words[++i];
      if (value === undefined) {
        errors.missing(
          rule.where,
          'tcp-check connect',
          'tcp-check connect [port N] [addr ADDR] [send-proxy]',
        );
        return undefined;
      }
      if (word === 'addr') {
        step.addr = value;
        continue;
      }
      const port = parseInteger(value, 1, 65535);
      if (!port.ok) {
        errors.bad(rule.where, 'tcp-check connect', `port '${value}': ${port.reason}`);
        return undefined;
      }
      step.port = port.value;
    } else if (word === 'send-proxy') {
      step.sendProxy = true;
    } else if (word === 'default' || word === 'linger') {
      // `default` keeps the server's settings, which is what lbd does anyway; checks always close with a reset.
    } else if (['ssl', 'sni', 'alpn', 'proto', 'via-socks4'].includes(word)) {
      errors.unsupported(rule.where, `tcp-check connect ${word}`, 'checks connect in plain TCP');
      return undefined;
    } else {
      errors.unknownWord(rule.where, word, 'tcp-check connect', ['port', 'addr', 'send-proxy', 'default']);
      return undefined;
    }
  }
  return step;
}

function parseExpect(errors: SpecErrors, rule: CheckRule, words: string[]): TcpCheckStep | undefined {
  const usage = 'tcp-check expect [min-recv N] [!] string|rstring|binary|rbinary PATTERN';
  let minRecv = -1;
  let negate = false;
  let i = 0;
  if (words[i] === 'min-recv') {
    const n = parseInteger(words[i + 1] ?? '', 0, 1 << 20);
    if (!n.ok) {
      errors.bad(rule.where, 'tcp-check expect', `min-recv: ${n.reason}`);
      return undefined;
    }
    minRecv = n.value;
    i += 2;
  }
  if (words[i] === '!') {
    negate = true;
    i++;
  }
  const match = words[i];
  const pattern = words[i + 1];
  if (match === undefined || pattern === undefined) {
    errors.missing(rule.where, 'tcp-check expect', usage);
    return undefined;
  }
  if (!(MATCHES as readonly string[]).includes(match)) {
    errors.unknownWord(rule.where, match, 'tcp-check expect', [...MATCHES]);
    return undefined;
  }
  const extra = words[i + 2];
  if (extra !== undefined) {
    errors.unsupported(
      rule.where,
      `tcp-check expect ... ${extra}`,
      `lbd takes only [min-recv N] [!] MATCH PATTERN [comment TEXT]`,
    );
    return undefined;
  }
  const step: Extract<TcpCheckStep, { op: 'expect' }> = {
    op: 'expect',
    negate,
    match: match as (typeof MATCHES)[number],
    pattern,
    minRecv,
    where: rule.where,
  };
  if (match === 'binary') {
    const bytes = hexBytes(errors, rule, pattern);
    if (bytes === undefined) return undefined;
    step.bytes = bytes;
  } else if (match === 'rstring' || match === 'rbinary') {
    const regex = compileRegex(errors, rule.where, 'tcp-check expect', pattern);
    if (regex === undefined) return undefined;
    step.regex = regex;
  }
  return step;
}

/** Types the `tcp-check` rules of a backend using `option tcp-check`. */
export function parseTcpCheckRules(errors: SpecErrors, rules: readonly CheckRule[]): TcpCheckStep[] {
  const steps: TcpCheckStep[] = [];
  for (const rule of rules) {
    const [action, ...rest] = rule.args;
    const words = withoutComment(rest);
    if (action === undefined || action === 'comment') continue;
    // `set-var(check.x)` names its variable in parentheses.
    const refused = REFUSED[action.replace(/\(.*$/, '')];
    if (refused !== undefined) {
      errors.unsupported(rule.where, `tcp-check ${action}`, refused);
      continue;
    }
    let step: TcpCheckStep | undefined;
    if (action === 'connect') step = parseConnect(errors, rule, words);
    else if (action === 'expect') step = parseExpect(errors, rule, words);
    else if (action === 'send' || action === 'send-binary') {
      if (words.length !== 1) {
        errors.missing(
          rule.where,
          `tcp-check ${action}`,
          `tcp-check ${action} ${action === 'send' ? 'STRING' : 'HEX'}`,
        );
        continue;
      }
      const data = action === 'send' ? Buffer.from(words[0]!, 'latin1') : hexBytes(errors, rule, words[0]!);
      if (data !== undefined) step = { op: 'send', data, where: rule.where };
    } else {
      errors.unknownWord(rule.where, action, 'tcp-check', ACTIONS);
    }
    if (step !== undefined) steps.push(step);
  }
  return steps;
}
