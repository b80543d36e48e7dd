import type { StatRow } from '@lbctl/protocol';
import { AmbiguousServerError, NoSuchServerError } from '../errors.js';

/** A server as `show-servers-state` ({@link ServerState}) or a stats row names it. */
export type ServerLike = { readonly backend: string; readonly server: string } | StatRow;

/** A resolved server. */
export interface ServerName {
  backend: string;
  server: string;
}

/** True when `pattern` uses glob syntax (`*`, `?`, `[...]`). */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Compiles a shell-style glob (`*`, `?`, `[abc]`, `[!abc]`) to an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function toName(item: ServerLike): ServerName | undefined {
  if ('backend' in item && 'server' in item && typeof item.backend === 'string') {
    return { backend: item.backend, server: item.server as string };
  }
  const row = item as StatRow;
  const svname = row.svname;
  // Stats rows also hold the proxies' FRONTEND and BACKEND aggregate rows.
  if (typeof row.pxname !== 'string' || typeof svname !== 'string') return undefined;
  if (svname === 'FRONTEND' || svname === 'BACKEND') return undefined;
  return { backend: row.pxname, server: svname };
}

function matcher(part: string): (name: string) => boolean {
  if (!isGlob(part)) return (name) => name === part;
  const re = globToRegExp(part);
  return (name) => re.test(name);
}

/**
 * Resolves an operator's server name against the servers the daemon has:
 * - `db1`: searched in every backend; more than one match is an
 *   {@link AmbiguousServerError} listing them as backend/server;
 * - `backend/db1`: exactly that server;
 * - a glob (`db*`, `mysql_*` + `/db?`): every match, in daemon order;
 * - `backend` (`--backend NAME`) narrows any of these to one backend.
 * No match is a {@link NoSuchServerError}. Duplicate rows are reported once.
 */
export function resolveServers(
  servers: readonly ServerLike[],
  pattern: string,
  backend?: string,
): ServerName[] {
  const slash = pattern.indexOf('/');
  const backendPart = slash >= 0 ? pattern.slice(0, slash) : undefined;
  const serverPart = slash >= 0 ? pattern.slice(slash + 1) : pattern;
  if (serverPart === '' || backendPart === '') {
    throw new NoSuchServerError(`'${pattern}' is not a server name (use NAME or BACKEND/NAME)`);
  }
  const backendOk = backendPart === undefined ? () => true : matcher(backendPart);
  const serverOk = matcher(serverPart);
  const seen = new Set<string>();
  const matches: ServerName[] = [];
  for (const item of servers) {
    const name = toName(item);
    if (name === undefined) continue;
    if (backend !== undefined && name.backend !== backend) continue;
    if (!backendOk(name.backend) || !serverOk(name.server)) continue;
    const key = `${name.backend}/${name.server}`;
    if (seen.has(key)) continue;
    seen.add(key);
    matches.push(name);
  }
  if (matches.length === 0) {
    const scope = backend === undefined ? '' : ` in backend '${backend}'`;
    throw new NoSuchServerError(`no server matches '${pattern}'${scope}`);
  }
  const glob = isGlob(pattern);
  if (matches.length > 1 && !glob) {
    throw new AmbiguousServerError(
      pattern,
      matches.map((m) => `${m.backend}/${m.server}`),
    );
  }
  return matches;
}
