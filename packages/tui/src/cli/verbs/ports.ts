import type { PortsPairReport, PortsReport } from '@lbctl/protocol';
import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import type { Palette } from '../colour.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { formatDuration } from '../duration.js';
import { type Column, renderTable } from '../table.js';
import { followEvents } from './events.js';
import { examples } from './help.js';

/**
 * `lbctl ports`: how close each (source address -> server) pair is to
 * running out of source ports, the kernel settings that decide it, and file
 * descriptors. `--follow` streams the daemon's port-pressure alerts instead.
 */
export function registerPortsVerb(program: Command, deps: CliDeps): void {
  program
    .command('ports')
    .summary('source-port and file-descriptor headroom toward each server')
    .description(
      'Source-port use per (source address, server): ports in use of the usable range, headroom, TIME_WAIT, ' +
        'new connections/s and the projected time to exhaustion, with advice where headroom is short. ' +
        '--follow streams the port-pressure alerts (topic `ports`).',
    )
    .option('--follow', 'stream port-pressure alerts (same as lbctl events --topics ports)')
    .addHelpText('after', examples(['lbctl ports', 'lbctl ports --json', 'lbctl ports --follow --json']))
    .action(async (opts: { follow?: boolean }, command: Command) => {
      const ctx = new VerbContext(deps, command);
      if (opts.follow === true) {
        await followEvents(ctx, ['ports'], undefined, undefined);
        return;
      }
      await ctx.eachClient(async (client, target, many) => {
        const report = await client.request('show-ports');
        if (ctx.json) {
          ctx.outJson(many ? { target: describeTarget(target), ...report } : report);
          return;
        }
        if (many) ctx.out(`# ${describeTarget(target)}\n`);
        ctx.out(renderPortsReport(report, ctx.colour));
      });
    });
}

function pairColumns(p: Palette): Column<PortsPairReport>[] {
  const level = (pair: PortsPairReport) =>
    pair.level === 'critical'
      ? p.red(pair.level)
      : pair.level === 'warning'
        ? p.yellow(pair.level)
        : pair.level;
  return [
    { header: 'SOURCE', cell: (x) => x.source },
    { header: 'SERVER', cell: (x) => `${x.destination} (${x.servers.join(', ')})` },
    { header: 'MODE', cell: (x) => x.mode },
    { header: 'IN USE', align: 'right', cell: (x) => `${x.inUse}/${x.usable}` },
    { header: 'HEADROOM', align: 'right', cell: (x) => `${x.headroomPct.toFixed(1)}%` },
    { header: 'ESTAB', align: 'right', cell: (x) => String(x.states.ESTABLISHED ?? 0) },
    { header: 'TIME_WAIT', align: 'right', cell: (x) => String(x.states.TIME_WAIT ?? 0) },
    { header: 'NEW/S', align: 'right', cell: (x) => String(x.connectRate) },
    {
      header: 'EXHAUSTED IN',
      align: 'right',
      cell: (x) => (x.exhaustionSeconds === null ? '-' : formatDuration(x.exhaustionSeconds * 1000)),
    },
    { header: 'LEVEL', cell: level },
  ];
}

/** The report as an operator reads it: kernel and fd lines, one row per pair, then advice. */
export function renderPortsReport(report: PortsReport, p: Palette): string {
  const k = report.kernel;
  const f = report.fds;
  const lines = [
    `kernel: ip_local_port_range ${k.ipLocalPortRange.low}-${k.ipLocalPortRange.high} ` +
      `(${k.usableEphemeralPorts} usable), tcp_tw_reuse ${k.tcpTwReuse}, tcp_fin_timeout ${k.tcpFinTimeoutS}s, ` +
      `TIME_WAIT ${k.timeWait}/${k.tcpMaxTwBuckets}`,
    `fds: ${f.inUse}/${f.limit} in use (maxsock ${f.maxsock}, maxconn ${f.maxconn}, ${f.headroomPct}% free)`,
    '',
  ];
  let out = `${lines.join('\n')}\n`;
  out +=
    report.pairs.length === 0 ? 'no server traffic seen yet\n' : renderTable(pairColumns(p), report.pairs);
  for (const pair of report.pairs) {
    if (pair.advice.length === 0) continue;
    out += `\n${pair.source} -> ${pair.destination}:\n${pair.advice.map((a) => `  - ${a}`).join('\n')}\n`;
  }
  return out;
}
