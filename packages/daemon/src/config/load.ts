import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';
import { type ConfigSource, type ParseOptions, type ParseResult, parseConfig } from './parser.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code];
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads the files given with `-f` (in order) and parses them together. An
 * unreadable file is an error of its own (`FILE: cannot read: REASON`); the
 * readable ones are still parsed so that their mistakes show in the same run.
 */
export async function loadConfigFiles(
  paths: readonly string[],
  options: ParseOptions = {},
): Promise<ParseResult> {
  const results = await Promise.allSettled(paths.map((path) => readFile(path, 'utf8')));
  const sources: ConfigSource[] = [];
  const readErrors: ConfigError[] = [];
  results.forEach((result, i) => {
    const path = paths[i]!;
    if (result.status === 'fulfilled') {
      sources.push({ path, text: result.value });
    } else {
      readErrors.push(
        new ConfigError(
          'LB_ERR_CONFIG_READ',
          `cannot read: ${reasonOf(result.reason)}`,
          { file: path, line: 0 },
          {
            cause: result.reason,
          },
        ),
      );
    }
  });
  const parsed = parseConfig(sources, options);
  if (readErrors.length === 0) return parsed;
  const errors = parsed.ok ? [] : parsed.errors;
  const notices = parsed.ok ? parsed.config.notices : parsed.notices;
  const order = new Map(paths.map((p, i) => [p, i]));
  const all = [...readErrors, ...errors].sort(
    (a, b) => (order.get(a.where.file) ?? 0) - (order.get(b.where.file) ?? 0) || a.where.line - b.where.line,
  );
  return { ok: false, errors: all, notices };
}
