import { connect } from 'node:net';

/** One row of `show stat`, cells by column name, as HAProxy prints them (strings). */
export type StatRow = Readonly<Record<string, string>>;

/**
 * Parses HAProxy's `show stat` CSV: a header line `# pxname,svname,...,`
 * then one line per frontend, server and backend. Columns are read by name,
 * so the test does not depend on their positions.
 */
export function parseStatCsv(text: string): StatRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (header === undefined || !header.startsWith('# ')) {
    throw new Error(`show stat: expected a '# ' header line, got ${JSON.stringify(text.slice(0, 200))}`);
  }
  const names = header.slice(2).split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row: Record<string, string> = {};
    names.forEach((name, i) => {
      if (name !== '') row[name] = cells[i] ?? '';
    });
    return row;
  });
}

/** Sends one command to a stats socket (non-interactive: the daemon replies and closes) and returns the reply. */
export function statsCommand(socketPath: string, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${JSON.stringify(command)} on ${socketPath}: no complete reply in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      reply += d;
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.write(`${command}\n`);
  });
}

/** `show stat` on the daemon's stats socket, parsed. */
export async function showStat(socketPath: string): Promise<StatRow[]> {
  return parseStatCsv(await statsCommand(socketPath, 'show stat'));
}

/** The row of `svname` (a server, `FRONTEND` or `BACKEND`) in proxy `pxname`; throws if absent. */
export function statRow(rows: readonly StatRow[], pxname: string, svname: string): StatRow {
  const row = rows.find((r) => r.pxname === pxname && r.svname === svname);
  if (row === undefined) {
    const have = rows.map((r) => `${r.pxname}/${r.svname}`).join(', ');
    throw new Error(`show stat has no row ${pxname}/${svname} (rows: ${have})`);
  }
  return row;
}

/** A numeric cell; HAProxy prints an empty cell for "not applicable", read as 0. */
export function statNumber(row: StatRow, column: string): number {
  const cell = row[column];
  if (cell === undefined) throw new Error(`show stat has no column '${column}'`);
  if (cell === '') return 0;
  const n = Number(cell);
  if (!Number.isFinite(n))
    throw new Error(`show stat column '${column}' is not a number: ${JSON.stringify(cell)}`);
  return n;
}

/**
 * Polls `show stat` until `predicate` holds, for counters that change with
 * no event a test could await (a queue filling up, a health check).
 * @param timeoutMs @default 10000
 * @param intervalMs @default 50
 */
export async function waitForStat(
  socketPath: string,
  predicate: (rows: StatRow[]) => boolean,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<StatRow[]> {
  const deadline = performance.now() + timeoutMs;
  let rows: StatRow[] = [];
  for (;;) {
    rows = await showStat(socketPath);
    if (predicate(rows)) return rows;
    if (performance.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const summary = rows
    .map((r) => `${r.pxname}/${r.svname} status=${r.status} scur=${r.scur} qcur=${r.qcur}`)
    .join('\n  ');
  throw new Error(`show stat did not reach the expected state in ${timeoutMs} ms; last:\n  ${summary}`);
}
