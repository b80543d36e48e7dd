/** Facts printed above the table and stored in the JSON, so two results can be compared knowingly. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { PortFacts } from './ephemeral-ports.ts';
import { openFilesLimit } from './haproxy-config.ts';

const execFileAsync = promisify(execFile);

export interface MachineFacts {
  node: string;
  haproxy: string;
  nginx: string;
  wrk: string;
  iperf3: string;
  kernel: string;
  cores: number;
  cpuModel: string;
  openFilesLimit: number;
  ephemeralPorts: string;
  tcpTwReuse: number;
  /** Load average when the bench started: other work on the machine skews every figure. */
  loadAverage: number[];
}

export function findOnPath(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, tool);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** First line of a tool's version output (some print it on stderr), or why it is missing. */
async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: 5000 });
    return (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
  } catch (err) {
    // wrk -v exits 1 after printing its version.
    const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string };
    const text = (stdout?.trim() || stderr?.trim() || '').split('\n')[0];
    return text || `unavailable (${message.split('\n')[0]})`;
  }
}

export async function machineFacts(ports: PortFacts): Promise<MachineFacts> {
  const [haproxy, nginx, wrk, iperf3] = await Promise.all([
    versionOf('haproxy', ['-v']),
    versionOf('nginx', ['-v']),
    versionOf('wrk', ['-v']),
    versionOf('iperf3', ['-v']),
  ]);
  return {
    node: process.version,
    haproxy,
    nginx,
    wrk,
    iperf3,
    kernel: `${os.type()} ${os.release()}`,
    // os.cpus(), not availableParallelism(): the bench pins itself to the load CPUs first.
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    openFilesLimit: openFilesLimit(),
    ephemeralPorts: ports.range.join('-'),
    tcpTwReuse: ports.twReuse,
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
  };
}

export function renderFacts(facts: MachineFacts): string {
  return [
    `- Node ${facts.node}; ${facts.haproxy}`,
    `- ${facts.cores} cores (${facts.cpuModel}); ${facts.kernel}; load average ${facts.loadAverage.join(' ')} at start`,
    `- ${facts.nginx}; ${facts.wrk}; ${facts.iperf3}`,
    `- open files limit ${facts.openFilesLimit}; ephemeral ports ${facts.ephemeralPorts}; tcp_tw_reuse ${facts.tcpTwReuse}`,
  ].join('\n');
}
