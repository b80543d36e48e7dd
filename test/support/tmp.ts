import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();
let exitHookInstalled = false;

/** Set `LBD_E2E_KEEP_TMP=1` to keep temp dirs (data dirs, logs, configs) for a post-mortem. */
const keep = process.env.LBD_E2E_KEEP_TMP === '1';

function register(dir: string): string {
  created.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      if (keep) return;
      for (const d of created) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/**
 * Creates a fresh directory under the OS temp dir, removed by
 * {@link removeTempDirs} or, at the latest, when the test process exits.
 * Paths stay short: UNIX socket paths inside must fit in 107 bytes.
 */
export async function makeTempDir(label: string): Promise<string> {
  return register(await mkdtemp(join(tmpdir(), `lbe2e-${label}-`)));
}

/** Synchronous twin of {@link makeTempDir}, for module-level setup. */
export function makeTempDirSync(label: string): string {
  return register(mkdtempSync(join(tmpdir(), `lbe2e-${label}-`)));
}

/** Removes every temp dir created so far (call it last in afterAll). */
export async function removeTempDirs(): Promise<void> {
  if (keep) return;
  const dirs = [...created];
  created.clear();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}
