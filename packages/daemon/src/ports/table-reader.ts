import { scanProcNet } from './proc-reader.js';
import type { ScanWatch, TableReader, TableScan } from './socket-table.js';
import { scanWithSs } from './ss-reader.js';

/**
 * Reads the kernel's TCP table with `reader`; `auto` tries sock_diag (`ss`)
 * first, measured several times cheaper at 200,000 sockets because the
 * kernel filters before it formats, and falls back to /proc/net/tcp when
 * `ss` cannot run (iproute2 missing).
 */
export async function scanSocketTable(
  watch: ScanWatch,
  reader: TableReader | 'auto' = 'auto',
): Promise<TableScan> {
  if (reader === 'procfs') return scanProcNet(watch);
  if (reader === 'sock_diag') return scanWithSs(watch);
  try {
    return await scanWithSs(watch);
  } catch {
    return scanProcNet(watch);
  }
}
