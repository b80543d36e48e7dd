/**
 * Resident memory of a process and all its descendants: lbd may run its data
 * plane in worker processes (`nbthread N`), and all of them are the proxy's
 * cost. HAProxy is one process (threads share its RSS).
 */
import { readdir, readFile } from 'node:fs/promises';

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so cut after the last ')'.
    const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    return ppid === undefined ? undefined : Number(ppid);
  } catch {
    return undefined;
  }
}

export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = await parentOf(Number(entry));
    if (ppid !== undefined) parents.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** VmRSS of one process in KiB, or 0 if it is gone. */
async function vmRssKb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export async function treeRssKb(root: number): Promise<number> {
  let total = 0;
  for (const pid of await processTree(root)) total += await vmRssKb(pid);
  return total;
}
