import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import { CheckFailedError, NoSuchServerError } from '../../errors.js';
import { evaluateCheck } from '../check-health.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { examples } from './help.js';

/**
 * `lbctl check`: keepalived's `vrrp_script`. Exit 0 when every daemon answers
 * and can serve, 1 otherwise with the reason on stderr. It never exits 3 for
 * an unreachable daemon: keepalived only knows zero and non-zero, and its
 * documentation (and operators' scripts) expect 1.
 */
export function registerCheckVerb(program: Command, deps: CliDeps): void {
  program
    .command('check')
    .summary('health verdict for keepalived: exit 0 if lbd answers and can serve, 1 otherwise')
    .description(
      "For keepalived's vrrp_script. Exit 0 when the daemon answers and every frontend is open and every " +
        'backend with servers has a usable one (ready, UP, weight > 0); exit 1 otherwise, with the reason on ' +
        'stderr (including an unreachable daemon, so keepalived sees exactly 0 or 1). Works on a ' +
        '`level user` socket.',
    )
    .option('-b, --backend <name>', 'only this backend (and the frontend of a listen section of that name)')
    .addHelpText(
      'after',
      examples([
        'lbctl check && echo serving',
        'lbctl --socket /run/lbd/stats.sock check --backend mysql_ro',
        'vrrp_script chk_lbd { script "/usr/bin/lbctl check --quiet" interval 2 fall 2 rise 2 }',
      ]),
    )
    .action(async (opts: { backend?: string }, command: Command) => {
      const ctx = new VerbContext(deps, command);
      const results: { target: string; ok: boolean; problems: string[] }[] = [];
      let failure: string | undefined;
      for (const target of ctx.targets()) {
        const where = describeTarget(target);
        try {
          const client = await ctx.open(target);
          try {
            const [{ servers }, { rows }] = await Promise.all([
              client.request('show-servers-state', {}),
              client.request('show-stat', {}),
            ]);
            if (opts.backend !== undefined && !rows.some((r) => r.pxname === opts.backend)) {
              throw new NoSuchServerError(`no backend '${opts.backend}'`);
            }
            const finding = evaluateCheck(servers, rows, opts.backend);
            results.push({ target: where, ...finding });
            if (!finding.ok) failure ??= `${where}: ${finding.problems.join('; ')}`;
            else if (!ctx.json && !ctx.quiet) {
              ctx.out(
                `ok: ${where}: ${finding.frontends} frontends, ${finding.backends} backends, ` +
                  `${finding.usableServers}/${finding.servers} servers usable\n`,
              );
            }
          } finally {
            client.close();
          }
        } catch (err) {
          const message = (err as Error).message;
          results.push({ target: where, ok: false, problems: [message] });
          failure ??= message.includes(where) ? message : `${where}: ${message}`;
        }
      }
      if (ctx.json) ctx.outJson({ ok: failure === undefined, daemons: results });
      if (failure !== undefined) throw new CheckFailedError(failure);
    });
}
