import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import { NotAvailableError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { followEvents } from './events.js';
import { examples } from './help.js';

/**
 * `lbctl ports`: the port-usage report. The protocol carries port-pressure
 * alerts (topic `ports`) but no command that returns the report, so without
 * `--follow` this says so; with `--follow` it streams the alerts.
 */
export function registerPortsVerb(program: Command, deps: CliDeps): void {
  program
    .command('ports')
    .summary('source-port usage toward each server (when the daemon provides it)')
    .description(
      'Source-port usage per (source address, server): how close each pair is to running out of ports. ' +
        'The runtime API has no port-report command yet, so a plain `lbctl ports` says so and exits 1; ' +
        '--follow streams the port-pressure alerts (topic `ports`) the daemon publishes.',
    )
    .option('--follow', 'stream port-pressure alerts (same as lbctl events --topics ports)')
    .addHelpText('after', examples(['lbctl ports', 'lbctl ports --follow --json']))
    .action(async (opts: { follow?: boolean }, command: Command) => {
      const ctx = new VerbContext(deps, command);
      if (opts.follow === true) {
        await followEvents(ctx, ['ports'], undefined, undefined);
        return;
      }
      await ctx.eachClient(async (client, target) => {
        const hello = await client.hello('lbctl');
        throw new NotAvailableError(
          `lbd at ${describeTarget(target)} has no port-usage report in its runtime API` +
            ` (topics: ${hello.topics.join(', ')}); try lbctl ports --follow for port-pressure alerts`,
        );
      });
    });
}
