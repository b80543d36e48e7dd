import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { type Lbd, startLbd } from './lbd.js';
import { lbdConfig } from './lbd-config.js';
import { type MariaDbServer, startMariaDbPair, stopMariaDbs } from './mariadb.js';
import { type E2eFile, portsFor } from './ports.js';
import { makeTempDir, removeTempDirs } from './tmp.js';

/** Two real MariaDB servers behind one lbd, and lbd's stats socket. */
export interface PairBehindLbd {
  db1: MariaDbServer;
  db2: MariaDbServer;
  lbd: Lbd;
  stats: string;
}

/**
 * The set-up most data-plane tests share: MariaDB db1 and db2 on the file's
 * ports, lbd on the proxy sections `sections` writes for them (with the
 * standard global/defaults), all stopped by `cleanup` even on failure.
 */
export async function startPairBehindLbd(
  file: E2eFile,
  cleanup: Cleanup,
  sections: (db1: MariaDbServer, db2: MariaDbServer) => string,
): Promise<PairBehindLbd> {
  const ports = portsFor(file);
  cleanup.defer(removeTempDirs);
  const [db1, db2] = cleanup.add(await startMariaDbPair([ports.mariadb[0], ports.mariadb[1]]), stopMariaDbs);
  const dir = await makeTempDir(file);
  const stats = join(dir, 'stats.sock');
  const lbd = cleanup.add(
    await startLbd(lbdConfig({ statsSocket: stats }, sections(db1!, db2!)), { dir }),
    (l) => l.stop(),
  );
  return { db1: db1!, db2: db2!, lbd, stats };
}
