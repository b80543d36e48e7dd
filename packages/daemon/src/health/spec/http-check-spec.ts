import type { CheckRule, HealthCheckConfig } from '../../config/types.js';
import type { CheckSpec, HttpExpect, HttpRequestSpec } from '../check-types.js';
import { compileRegex, type SpecErrors } from './errors.js';

const EXPECT_KINDS = ['status', 'rstatus', 'string', 'rstring'];
const SEND_WORDS = ['meth', 'uri', 'ver', 'hdr', 'body'];
const RULES = ['send', 'expect', 'disable-on-404', 'send-state', 'comment'];

/**
 * `option httpchk [METHOD] [URI] [VERSION]`: one word is the URI, two are
 * method and URI. HAProxy's old trick of appending headers to the version
 * (`HTTP/1.1\r\nHost:\ www`) still works: the extra lines become headers.
 */
function requestFromOption(option: HealthCheckConfig): HttpRequestSpec {
  const args = option.args;
  const request: HttpRequestSpec = {
    method: 'OPTIONS',
    uri: '/',
    version: 'HTTP/1.0',
    headers: [],
    body: '',
  };
  if (args.length === 1) request.uri = args[0]!;
  if (args.length >= 2) {
    request.method = args[0]!;
    request.uri = args[1]!;
  }
  if (args.length >= 3) {
    const [version, ...lines] = args.slice(2).join(' ').split('\r\n');
    request.version = version!;
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) request.headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return request;
}

/** `0-9`, `200`, `200-399` and comma-separated lists of them. */
function parseStatusRanges(pattern: string): [number, number][] | undefined {
  const ranges: [number, number][] = [];
  for (const part of pattern.split(',')) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
    if (!m) return undefined;
    const low = Number(m[1]);
    const high = Number(m[2] ?? m[1]);
    if (high < low) return undefined;
    ranges.push([low, high]);
  }
  return ranges;
}

function parseExpect(errors: SpecErrors, rule: CheckRule, words: string[]): HttpExpect | undefined {
  const usage = 'http-check expect [!] status|rstatus|string|rstring PATTERN';
  let i = 0;
  const negate = words[0] === '!';
  if (negate) i++;
  const kind = words[i];
  const pattern = words[i + 1];
  if (kind === undefined || pattern === undefined) {
    errors.missing(rule.where, 'http-check expect', usage);
    return undefined;
  }
  if (!EXPECT_KINDS.includes(kind)) {
    errors.unknownWord(rule.where, kind, 'http-check expect', EXPECT_KINDS);
    return undefined;
  }
  if (words.length > i + 2) {
    errors.unsupported(rule.where, `http-check expect ... ${words[i + 2]}`, `lbd takes only ${usage}`);
    return undefined;
  }
  if (kind === 'status') {
    const ranges = parseStatusRanges(pattern);
    if (ranges === undefined) {
      errors.bad(
        rule.where,
        'http-check expect status',
        `'${pattern}' is not a status, a range or a list of them`,
      );
      return undefined;
    }
    return { negate, kind, ranges, pattern };
  }
  if (kind === 'string') return { negate, kind, text: pattern, pattern };
  const regex = compileRegex(errors, rule.where, `http-check expect ${kind}`, pattern);
  if (regex === undefined) return undefined;
  return kind === 'rstatus' ? { negate, kind, regex, pattern } : { negate, kind: 'rstring', regex, pattern };
}

function applySend(errors: SpecErrors, rule: CheckRule, words: string[], request: HttpRequestSpec): void {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const value = words[i + 1];
    if (!SEND_WORDS.includes(word)) {
      errors.unknownWord(rule.where, word, 'http-check send', SEND_WORDS);
      return;
    }
    if (value === undefined || (word === 'hdr' && words[i + 2] === undefined)) {
      errors.missing(
        rule.where,
        'http-check send',
        'http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]* [body TEXT]',
      );
      return;
    }
    if (word === 'meth') request.method = value;
    else if (word === 'uri') request.uri = value;
    else if (word === 'ver') request.version = value;
    else if (word === 'body') request.body = value;
    else {
      request.headers.push([value, words[i + 2]!]);
      i++;
    }
    i++;
  }
}

/** Types `option httpchk` and the backend's `http-check` rules. */
export function parseHttpCheck(
  errors: SpecErrors,
  option: HealthCheckConfig,
  rules: readonly CheckRule[],
): Extract<CheckSpec, { kind: 'http' }> {
  const spec: Extract<CheckSpec, { kind: 'http' }> = {
    kind: 'http',
    request: requestFromOption(option),
    expect: undefined,
    disableOn404: false,
    sendState: false,
  };
  for (const rule of rules) {
    const [action, ...words] = rule.args;
    if (action === 'comment' || action === undefined) continue;
    if (action === 'send') applySend(errors, rule, words, spec.request);
    else if (action === 'expect') {
      if (spec.expect !== undefined) {
        errors.unsupported(rule.where, 'http-check expect', 'lbd takes one expect rule per backend');
        continue;
      }
      spec.expect = parseExpect(errors, rule, words);
    } else if (action === 'disable-on-404') spec.disableOn404 = true;
    else if (action === 'send-state') spec.sendState = true;
    else if (action === 'connect') {
      errors.unsupported(
        rule.where,
        'http-check connect',
        "use the server's 'port'/'addr' to move the check",
      );
    } else if (/^(un)?set-var\(/.test(action)) {
      errors.unsupported(rule.where, `http-check ${action}`, 'check variables are not supported');
    } else errors.unknownWord(rule.where, action, 'http-check', RULES);
  }
  return spec;
}
