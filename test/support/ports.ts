/**
 * Loopback port plan of the end-to-end tier. Every test file owns a fixed
 * block, so files never collide even if they were run in parallel, and no
 * port is in Linux's ephemeral range (32768-60999), where the kernel picks
 * client ports and a fixed listener could find its port taken. The ranges
 * also stay clear of the benchmark (14000-14999) and the demo (17000s).
 *
 * - MariaDB servers: four per file from 20000 (room for 250 files).
 * - {@link REFUSED_PORT} 13399: nothing ever listens there (a dead server).
 * - lbd listeners and Node test servers: sixteen per file from 22000.
 */
const FILES = [
  'support-mariadb',
  'support-stats',
  'roundrobin',
  'leastconn',
  'source',
  'backup',
  'queue',
  'retries',
  'streaming',
  'timeouts',
  'proxy-protocol',
  'lbd-cli',
  'api-text',
  'api-side-by-side',
  'api-json',
  'api-bad-input',
  'api-admin-state',
  'api-hatop',
  'api-exporter',
  'api-levels',
  'health-mysql',
  'health-replica',
  'health-agents',
  'health-passive',
  'cli-admin',
  'cli-drain',
  'tui-top',
  'lifecycle-sd-notify',
  'lifecycle-reload',
  'ports-exhaustion',
  'ports-time-wait',
  'ports-managed',
  'lifecycle-stop',
  'lifecycle-reload-under-load',
  'ports-report-stream',
  'health-check-sources',
  'workers-serving',
  'workers-failures',
  'workers-stop',
  'workers-reload',
] as const;

/** The test files that own a block of ports. Add a name to `FILES` for a new file. */
export type E2eFile = (typeof FILES)[number];

/** A port on 127.0.0.1 where nothing listens: connections to it are refused. */
export const REFUSED_PORT = 13399;

const MARIADB_BASE = 20000;
const MARIADB_PER_FILE = 4;
const LOCAL_BASE = 22000;
const LOCAL_PER_FILE = 16;
const MAX_FILES = 250;

/** The ports one test file may use. */
export interface FilePorts {
  /** Ports for MariaDB servers (4). */
  readonly mariadb: readonly [number, number, number, number];
  /** The `i`th port (0-15) for lbd listeners and Node test servers. */
  local(i: number): number;
}

/** Returns the port block of a test file. */
export function portsFor(file: E2eFile): FilePorts {
  const index = FILES.indexOf(file);
  if (index < 0 || index >= MAX_FILES) throw new Error(`no port block for test file '${file}'`);
  const m = MARIADB_BASE + index * MARIADB_PER_FILE;
  const l = LOCAL_BASE + index * LOCAL_PER_FILE;
  return {
    mariadb: [m, m + 1, m + 2, m + 3],
    local(i) {
      if (!Number.isInteger(i) || i < 0 || i >= LOCAL_PER_FILE) {
        throw new Error(`local port index ${i} out of 0-${LOCAL_PER_FILE - 1}`);
      }
      return l + i;
    },
  };
}

/** Every file's block, for the harness's own consistency test. */
export function allPortBlocks(): ReadonlyArray<{ file: E2eFile; ports: FilePorts }> {
  return FILES.map((file) => ({ file, ports: portsFor(file) }));
}
