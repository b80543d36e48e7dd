/**
 * What the scale benchmark reads about the processes and the kernel: per
 * process memory, CPU and descriptors from /proc, established sockets by
 * local address from `ss`, the machine's CPU ticks, and lbd's own view
 * through its runtime API.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One process's figures now; zeros once it is gone. */
export interface ProcFigures {
  pid: number;
  rssKb: number;
  /** The anonymous part of rssKb (heaps, buffers): what connections grow; RssFile (the node binary, shared) does not. */
  anonKb: number;
  /**
   * User + system CPU so far, ms, with that of its exited children (the
   * `ss` lbd's ports monitor runs); live children (workers) are their own.
   */
  cpuMs: number;
  /** The system (kernel) part of cpuMs. */
  sysMs: number;
  fds: number;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux port that matters). */
const TICK_MS = 10;

export function procFigures(pid: number): ProcFigures {
  const out: ProcFigures = { pid, rssKb: 0, anonKb: 0, cpuMs: 0, sysMs: 0, fds: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    out.cpuMs = (utime + stime + cutime + cstime) * TICK_MS;
    out.sysMs = (stime + cstime) * TICK_MS;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    out.rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    out.anonKb = Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    out.fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // Gone meanwhile: what was read so far stands.
  }
  return out;
}

/** Sums of a list of process figures. */
export function sumFigures(list: readonly ProcFigures[]): {
  rssKb: number;
  anonKb: number;
  cpuMs: number;
  sysMs: number;
  fds: number;
} {
  let rssKb = 0;
  let anonKb = 0;
  let cpuMs = 0;
  let sysMs = 0;
  let fds = 0;
  for (const p of list) {
    rssKb += p.rssKb;
    anonKb += p.anonKb;
    cpuMs += p.cpuMs;
    sysMs += p.sysMs;
    fds += p.fds;
  }
  return { rssKb, anonKb, cpuMs, sysMs, fds };
}

/** The machine's CPU time so far (all cores), ms: busy and total, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  // idle + iowait
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

/** The 1, 5 and 15 minute load averages (the machine's, not this namespace's). */
export function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/**
 * Kernel memory of one open TCP socket, KiB, from the slab object sizes
 * (/proc/slabinfo: the socket, its inode, file and dentry). Computed, not
 * measured: the slabs are shared by the whole machine, so their growth
 * during the run would count other people's sockets. Idle sockets hold no
 * buffer memory (sockstat `mem` stays flat), so this is most of it.
 */
export function socketKernelKb(): { perSocketKb: number; timeWaitKb: number } {
  let text = '';
  try {
    text = readFileSync('/proc/slabinfo', 'utf8');
  } catch {
    return { perSocketKb: 0, timeWaitKb: 0 };
  }
  const size = (name: string) =>
    Number(new RegExp(`^${name}\\s+\\d+\\s+\\d+\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const perSocket = size('TCP') + size('sock_inode_cache') + size('filp') + size('dentry');
  return { perSocketKb: perSocket / 1024, timeWaitKb: size('tw_sock_TCP') / 1024 };
}

/**
 * Established TCP sockets matching an `ss` filter, counted per local
 * address ("127.0.1.3"). The kernel filters (inet_diag bytecode); the
 * output of 100,000 sockets is a few MB.
 */
export async function establishedByLocalAddress(
  filter: string,
): Promise<{ total: number; byAddress: Map<string, number> }> {
  const { stdout } = await execFileAsync('ss', ['-tanH', 'state', 'established', `( ${filter} )`], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const byAddress = new Map<string, number>();
  let total = 0;
  for (const line of stdout.split('\n')) {
    // "Recv-Q Send-Q Local:Port Peer:Port" (the state column is left out with `state`).
    const local = line.trim().split(/\s+/)[2];
    if (local === undefined) continue;
    const address = local.slice(0, local.lastIndexOf(':'));
    byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
    total += 1;
  }
  return { total, byAddress };
}

/** Sends one command to a HAProxy-dialect stats socket and returns the whole answer. */
export function runtimeCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${command}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.end(`${command}\n`);
  });
}

/** `show info` as a key -> value map. */
export async function showInfo(socketPath: string): Promise<Map<string, string>> {
  const info = new Map<string, string>();
  for (const line of (await runtimeCommand(socketPath, 'show info')).split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) info.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return info;
}

/** One proxy's row of `show stat` (pxname, svname) as column -> value, or undefined. */
export async function statRow(
  socketPath: string,
  pxname: string,
  svname: string,
): Promise<Map<string, string> | undefined> {
  const lines = (await runtimeCommand(socketPath, 'show stat')).split('\n');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells[0] !== pxname || cells[1] !== svname) continue;
    return new Map(header.map((name, i) => [name, cells[i] ?? '']));
  }
  return undefined;
}
