import { readFileSync } from 'node:fs';
import type { ClientTarget } from '@lbctl/protocol';
import { UsageError } from '../errors.js';

/** The socket lbctl talks to when neither `--socket`, `--url` nor `LBCTL_SOCKET` says otherwise. */
export const DEFAULT_SOCKET = '/run/lbd/admin.sock';

/** Options of {@link resolveTargets}, as the command line and environment give them. */
export interface TargetOptions {
  /** `--socket PATH`, repeatable. */
  socket?: string[] | undefined;
  /** `--url ws://HOST:PORT`, repeatable. */
  url?: string[] | undefined;
  /** `--token-file F`: the bearer token for every `--url`. */
  tokenFile?: string | undefined;
  /** Environment (`LBCTL_SOCKET`). @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * The daemons a command talks to: every `--socket` and every `--url` (with the
 * token read from `--token-file`); with neither, `LBCTL_SOCKET`, else
 * {@link DEFAULT_SOCKET}. Throws {@link UsageError} for a URL without a
 * readable token file or a URL that is not ws:// or wss://.
 */
export function resolveTargets(opts: TargetOptions): ClientTarget[] {
  const sockets = (opts.socket ?? []).filter((s) => s !== '');
  const urls = opts.url ?? [];
  const targets: ClientTarget[] = sockets.map((path) => ({ path }));
  if (urls.length > 0) {
    const token = readToken(opts.tokenFile);
    for (const url of urls) {
      if (!/^wss?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be ws://HOST:PORT, got '${url}'`);
      targets.push({ url, token });
    }
  } else if (opts.tokenFile !== undefined && sockets.length === 0) {
    throw new UsageError('--token-file needs --url');
  }
  if (targets.length > 0) return targets;
  const env = opts.env ?? process.env;
  const fromEnv = env.LBCTL_SOCKET;
  return [{ path: fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_SOCKET }];
}

function readToken(file: string | undefined): string {
  if (file === undefined) throw new UsageError('--url needs --token-file FILE (the bearer token)');
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UsageError(`cannot read token file ${file}: ${reason}`, { cause: err });
  }
  if (token === '') throw new UsageError(`token file ${file} is empty`);
  return token;
}

/** How a target is named in messages: its socket path or URL (never the token). */
export function describeTarget(target: ClientTarget): string {
  return 'path' in target ? target.path : target.url;
}
