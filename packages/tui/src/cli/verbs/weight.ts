import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { formatState, qualified, resolveOnDaemon } from '../servers.js';
import { parseWeight } from '../weight.js';
import { examples } from './help.js';

/** `lbctl weight SERVER [WEIGHT|PERCENT%]`: set a weight, or show it without one. */
export function registerWeightVerb(program: Command, deps: CliDeps): void {
  program
    .command('weight')
    .summary("set (or show) servers' weights: absolute 0-256 or a percentage of the initial weight")
    .description(
      "Set a server's weight: an absolute value 0-256, or N% of its initial (configured) weight. " +
        'Without a weight, print the current and initial weights.',
    )
    .argument('<server>', 'server name (db1), backend/server, or glob (db*)')
    .argument('[weight]', 'new weight: 0-256, or a percentage such as 50%')
    .option('-b, --backend <name>', 'only servers of this backend')
    .addHelpText(
      'after',
      examples([
        'lbctl weight db1 50',
        'lbctl weight db1 50%',
        'lbctl weight db1',
        "lbctl weight 'db*' 100%",
      ]),
    )
    .action(
      async (
        server: string,
        weightText: string | undefined,
        opts: { backend?: string },
        command: Command,
      ) => {
        const weight = weightText === undefined ? undefined : parseWeight(weightText);
        const ctx = new VerbContext(deps, command);
        await ctx.eachClient(async (client, target) => {
          const { names } = await resolveOnDaemon(client, [server], opts.backend);
          const results = [];
          for (const name of names) {
            if (weight !== undefined) await client.request('set-weight', { ...name, weight });
            // The state after the change, so that the output shows what the daemon now has.
            const { servers } = await client.request('show-servers-state', { backend: name.backend });
            const state = servers.find((s) => s.server === name.server);
            if (state === undefined) continue;
            results.push({
              ...name,
              weight: state.weight,
              initialWeight: state.initialWeight,
              status: state.status,
            });
            if (ctx.json || ctx.quiet) continue;
            if (weight === undefined)
              ctx.out(`${qualified(name)}: weight ${state.weight} (initial ${state.initialWeight})\n`);
            else ctx.out(`${formatState(ctx.colour, state)}\n`);
          }
          if (ctx.json) {
            ctx.outJson({
              action: weight === undefined ? 'get-weight' : 'set-weight',
              target: describeTarget(target),
              servers: results,
            });
          }
        });
      },
    );
}
