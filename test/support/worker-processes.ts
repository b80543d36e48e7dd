import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * What the e2e tier can see of lbd's data-plane workers (`nbthread` > 1)
 * from outside, through /proc and `ss` (Linux): which processes they are,
 * and which of them holds a given client connection.
 */

/** What a worker's command line contains (the master forks `workers/worker-main.js`). */
const WORKER_ENTRY = 'workers/worker-main.js';

/** Direct children of `pid`, from every thread's `children` list; [] once `pid` is gone. */
export async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    tasks.map((tid) => readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '')),
  );
  const pids = lists.flatMap((list) => list.trim().split(/\s+/).filter(Boolean).map(Number));
  return [...new Set(pids)].sort((a, b) => a - b);
}

/** Whether `pid` runs lbd's worker entry. */
async function isWorker(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').some((arg) => arg.endsWith(WORKER_ENTRY));
}

/** The worker processes among `pid`'s children (a zombie has an empty command line: not counted). */
export async function workerPids(pid: number): Promise<number[]> {
  const children = await childPids(pid);
  const flags = await Promise.all(children.map(isWorker));
  return children.filter((_, i) => flags[i]);
}

/** Whether a process exists (a zombie counts until it is reaped). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Socket inodes of the accepted ends of loopback TCP connections to the
 * listener on `serverPort`, by client port. `ss` filters in the kernel:
 * reading /proc/net/tcp instead would cost megabytes on a machine with tens
 * of thousands of TIME_WAIT sockets.
 */
async function acceptedInodes(serverPort: number): Promise<Map<number, string>> {
  const filter = `( src 127.0.0.1 and sport = :${serverPort} )`;
  const { stdout } = await execFileAsync('ss', ['-tnHe', 'state', 'established', filter], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const inodes = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const peer = /\s127\.0\.0\.1:\d+\s+[\d.]+:(\d+)/.exec(line);
    const inode = /\bino:(\d+)/.exec(line);
    if (peer !== null && inode !== null) inodes.set(Number(peer[1]), `socket:[${inode[1]}]`);
  }
  return inodes;
}

/**
 * Which of `pids` hold the accepted end of each loopback connection from
 * 127.0.0.1:`clientPort` to the listener on `serverPort`, for many client
 * ports at once (one `ss` and one read of each process's fds). A client
 * port maps to [] when its connection is not found (not accepted yet, or
 * closed) or no process of `pids` holds it.
 */
export async function socketHolders(
  pids: readonly number[],
  serverPort: number,
  clientPorts: readonly number[],
): Promise<Map<number, number[]>> {
  const inodes = await acceptedInodes(serverPort);
  const portByInode = new Map<string, number>();
  for (const port of clientPorts) {
    const inode = inodes.get(port);
    if (inode !== undefined) portByInode.set(inode, port);
  }
  const holders = new Map<number, number[]>(clientPorts.map((port) => [port, []]));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    for (const link of new Set(links)) {
      const port = portByInode.get(link);
      if (port !== undefined) holders.get(port)!.push(pid);
    }
  }
  return holders;
}

/**
 * Which of `pids` holds the accepted end of the client connection from
 * 127.0.0.1:`clientPort` to the listener on `serverPort`. Undefined if none
 * does (not accepted yet, or already closed).
 */
export async function connectionOwner(
  pids: readonly number[],
  serverPort: number,
  clientPort: number,
): Promise<number | undefined> {
  return (await socketHolders(pids, serverPort, [clientPort])).get(clientPort)?.[0];
}
