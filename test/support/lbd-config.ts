/** What every test config shares. */
export interface BaseConfigOptions {
  /** Path of the admin-level stats socket (`show stat`). */
  readonly statsSocket: string;
  /** More lines for `global`. */
  readonly global?: readonly string[];
  /** More lines for `defaults` (a proxy section overrides them as usual). */
  readonly defaults?: readonly string[];
}

/**
 * Prepends the `global` and `defaults` sections every test needs to the
 * proxy sections `body`: a stats socket at admin level, a `log` target (lbd
 * writes traffic records only when `global` has one and the proxy says `log
 * global`), `mode tcp` and finite timeouts. Proxy sections repeat `log
 * global` themselves so the config reads the same on its own.
 */
export function lbdConfig(options: BaseConfigOptions, body: string): string {
  const global = [
    'global',
    '  log stdout format raw local0',
    `  stats socket ${options.statsSocket} level admin`,
    ...(options.global ?? []).map((l) => `  ${l}`),
  ];
  const defaults = [
    'defaults',
    '  mode tcp',
    '  log global',
    '  option tcplog',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    ...(options.defaults ?? []).map((l) => `  ${l}`),
  ];
  return `${[...global, '', ...defaults].join('\n')}\n\n${dedent(body)}\n`;
}

/** Removes the common leading indentation of a template literal's lines. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(...indents, Number.POSITIVE_INFINITY);
  return lines.map((l) => l.slice(Number.isFinite(cut) ? cut : 0)).join('\n');
}
