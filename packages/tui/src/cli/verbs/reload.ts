import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import { NotAvailableError, ReloadRefusedError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { examples } from './help.js';

/**
 * `lbctl reload`: asks lbd to re-read its configuration files (the runtime
 * API's `reload`, admin level) and prints the outcome. A refused file is an
 * error of the verb (exit 1) with each `FILE:LINE: message` on stderr, so a
 * deploy script stops there, while lbd keeps running the old configuration.
 */
export function registerReloadVerb(program: Command, deps: CliDeps): void {
  program
    .command('reload')
    .summary('reload the configuration files without dropping connections')
    .description(
      'Ask lbd to re-read and check its configuration files (the -f files it was started with) and apply ' +
        'them in place: unchanged listeners stay open, sessions already running finish on their old ' +
        'settings, admin state and counters carry over. A file with errors is refused: lbctl prints each ' +
        'error as FILE:LINE: message and exits 1, and lbd keeps running the previous configuration. ' +
        'Needs an admin-level socket.',
    )
    .addHelpText(
      'after',
      examples([
        'lbctl reload',
        'lbctl reload --json',
        'lbctl events --topics reload --count 2 & lbctl reload',
      ]),
    )
    .action(async (_opts: unknown, command: Command) => {
      const ctx = new VerbContext(deps, command);
      await ctx.eachClient(async (client, target) => {
        const where = describeTarget(target);
        const hello = await client.hello('lbctl');
        if (!(hello.commands as string[]).includes('reload')) {
          throw new NotAvailableError(
            `lbd at ${where} (version ${hello.daemon.version}) has no 'reload' command in its runtime API`,
          );
        }
        const result = await client.request('reload', {});
        if (ctx.json) ctx.outJson({ action: 'reload', target: where, ...result });
        if (!result.applied) {
          const errors = result.errors ?? [];
          if (!ctx.json) for (const line of errors) ctx.stderr.write(`${line}\n`);
          throw new ReloadRefusedError(
            `${where}: configuration refused (${errors.length} error(s)); lbd keeps running the previous one`,
          );
        }
        if (!ctx.json && !ctx.quiet) {
          ctx.out(`reloaded: ${where}: ${result.summary ?? ''} (${result.durationMs} ms)\n`);
        }
      });
    });
}
