import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import { NotAvailableError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { followEvents } from './events.js';
import { examples } from './help.js';

/**
 * `lbctl reload`: the runtime API has no reload command yet (the protocol's
 * COMMANDS table lacks one and lbd reloads on no signal), so the verb
 * connects, to report an unreachable daemon as such, then says what is
 * missing and exits 1. When the protocol gains `reload`, this is where it goes.
 */
export function registerReloadVerb(program: Command, deps: CliDeps): void {
  program
    .command('reload')
    .summary('reload the configuration without dropping connections (needs daemon support)')
    .description(
      "Ask lbd to reload its configuration. lbd's runtime API does not offer a reload command yet: the " +
        'verb reports that and exits 1. Until then restart the service (systemctl restart lbd).',
    )
    .addHelpText(
      'after',
      examples(['lbctl reload', 'lbctl reload && lbctl events --topics reload --count 1']),
    )
    .action(async (_opts: unknown, command: Command) => {
      const ctx = new VerbContext(deps, command);
      await ctx.eachClient(async (client, target) => {
        const hello = await client.hello('lbctl');
        if (!(hello.commands as string[]).includes('reload')) {
          throw new NotAvailableError(
            `lbd at ${describeTarget(target)} (version ${hello.daemon.version}) has no 'reload' command in its runtime API`,
          );
        }
      });
    });
}

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
