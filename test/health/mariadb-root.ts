import { spawn } from 'node:child_process';
import type { MariaDbServer } from '../support/mariadb.js';
import { trackChild, waitForClose } from '../support/processes.js';

/**
 * Runs SQL as the server's root over its UNIX socket (root has no TCP
 * account, and the `lbtest` account cannot grant privileges). Resolves
 * with the tab-separated output (`-B`, without the header line unless
 * `withHeader`), rejects on failure.
 */
export async function rootQuery(db: MariaDbServer, sql: string, withHeader = false): Promise<string> {
  const args = [`--socket=${db.socketPath}`, '-uroot', '-B', ...(withHeader ? [] : ['-N']), '-e', sql];
  const child = trackChild(
    spawn('mariadb', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const exit = await waitForClose(child).finally(() => clearTimeout(timer));
  if (exit.code !== 0)
    throw new Error(`root query ${JSON.stringify(sql)} on ${db.name} failed: ${stderr.trim()}`);
  return stdout.trim();
}

/** The first row of a query's result as a column -> value map (empty when no row). */
export async function rootRow(db: MariaDbServer, sql: string): Promise<Record<string, string>> {
  const [header, first] = (await rootQuery(db, sql, true)).split('\n');
  if (header === undefined || first === undefined) return {};
  const names = header.split('\t');
  const cells = first.split('\t');
  return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
}
