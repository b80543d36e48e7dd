import type { LbClient, ServerRef, ServerState } from '@lbctl/protocol';
import type { Command } from 'commander';
import { describeTarget, type ServerName } from '../../connection/index.js';
import { UsageError } from '../../errors.js';
import { VerbContext, withServer } from '../context.js';
import type { CliDeps } from '../deps.js';
import { formatState, qualified, resolveOnDaemon } from '../servers.js';
import { examples } from './help.js';

/** The JSON command behind a state verb. */
type StateAction = (client: LbClient, ref: ServerRef) => Promise<ServerState>;

/** What `--json` prints for an admin verb: the action and each server's resulting state. */
export interface AdminResult {
  action: string;
  target: string;
  servers: ServerState[];
}

/**
 * Applies `action` to every server the names match on every target and
 * prints each resulting state, as the daemon confirmed it. Returns the
 * results so that `drain --wait` can continue from them.
 */
export async function runStateVerb(
  ctx: VerbContext,
  verb: string,
  patterns: readonly string[],
  backend: string | undefined,
  action: StateAction,
  after?: (client: LbClient, names: ServerName[], result: AdminResult) => Promise<void>,
): Promise<void> {
  await ctx.eachClient(async (client, target) => {
    const { names, states } = await resolveOnDaemon(client, patterns, backend);
    const result: AdminResult = { action: verb, target: describeTarget(target), servers: [] };
    for (const name of names) {
      const before = states.find((s) => s.backend === name.backend && s.server === name.server);
      const state = await action(client, name).catch((err: unknown) => {
        throw withServer(err, name);
      });
      result.servers.push(state);
      if (!ctx.json && !ctx.quiet) ctx.out(`${formatState(ctx.colour, state, before)}\n`);
    }
    if (after !== undefined) await after(client, names, result);
    else if (ctx.json) ctx.outJson(result);
  });
}

interface StateVerbSpec {
  name: string;
  summary: string;
  action: StateAction;
  examples: string[];
}

const STATE_VERBS: StateVerbSpec[] = [
  {
    name: 'enable',
    summary: 'take servers out of maintenance (admin state ready)',
    action: (c, ref) => c.request('enable-server', ref),
    examples: ['lbctl enable db1', 'lbctl enable mysql_ro/db1', "lbctl enable 'db*' --backend mysql_ro"],
  },
  {
    name: 'disable',
    summary: 'put servers in maintenance (MAINT): no new sessions, existing ones continue',
    action: (c, ref) => c.request('disable-server', ref),
    examples: ['lbctl disable db1', 'lbctl disable mysql_ro/db1 --json'],
  },
  {
    name: 'ready',
    summary: 'set the admin state to ready (leaves drain and maintenance)',
    action: (c, ref) => c.request('set-state', { ...ref, state: 'ready' }),
    examples: ['lbctl ready db1', "lbctl ready 'db*'"],
  },
];

/** `lbctl enable|disable|ready`. */
export function registerStateVerbs(program: Command, deps: CliDeps): void {
  for (const spec of STATE_VERBS) {
    program
      .command(spec.name)
      .summary(spec.summary)
      .description(`${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}. Prints each resulting state.`)
      .argument('<server...>', 'server name (db1), backend/server, or glob (db*)')
      .option('-b, --backend <name>', 'only servers of this backend')
      .addHelpText('after', examples(spec.examples))
      .action(async (servers: string[], opts: { backend?: string }, command: Command) => {
        const ctx = new VerbContext(deps, command);
        await runStateVerb(ctx, spec.name, servers, opts.backend, spec.action);
      });
  }
}

/** `lbctl health enable|disable SERVER...`. */
export function registerHealthVerb(program: Command, deps: CliDeps): void {
  program
    .command('health')
    .summary('enable or disable the health checks of servers')
    .description(
      'Enable or disable active health checks. A server whose checks are disabled counts as checked OK.',
    )
    .argument('<enable|disable>', 'what to do')
    .argument('<server...>', 'server name, backend/server, or glob')
    .option('-b, --backend <name>', 'only servers of this backend')
    .addHelpText('after', examples(['lbctl health disable db1', 'lbctl health enable mysql_ro/db1']))
    .action(async (what: string, servers: string[], opts: { backend?: string }, command: Command) => {
      if (what !== 'enable' && what !== 'disable') {
        throw new UsageError(`health: expected 'enable' or 'disable', got '${what}'`);
      }
      const ctx = new VerbContext(deps, command);
      const cmd = what === 'enable' ? 'enable-health' : 'disable-health';
      await runStateVerb(ctx, `health ${what}`, servers, opts.backend, (c, ref) => c.request(cmd, ref));
    });
}

/** `lbctl shutdown-sessions SERVER...`. */
export function registerShutdownVerb(program: Command, deps: CliDeps): void {
  program
    .command('shutdown-sessions')
    .summary('close every session on servers now')
    .description('Close every session on the servers at once (HAProxy: shutdown sessions server).')
    .argument('<server...>', 'server name, backend/server, or glob')
    .option('-b, --backend <name>', 'only servers of this backend')
    .addHelpText(
      'after',
      examples(['lbctl shutdown-sessions db1', 'lbctl drain db1 && lbctl shutdown-sessions db1']),
    )
    .action(async (servers: string[], opts: { backend?: string }, command: Command) => {
      const ctx = new VerbContext(deps, command);
      await ctx.eachClient(async (client, target) => {
        const { names } = await resolveOnDaemon(client, servers, opts.backend);
        const results: { backend: string; server: string; killed: number }[] = [];
        for (const name of names) {
          const { killed } = await client.request('shutdown-sessions', name).catch((err: unknown) => {
            throw withServer(err, name);
          });
          results.push({ ...name, killed });
          if (!ctx.json && !ctx.quiet) {
            ctx.out(`${qualified(name)}: closed ${killed} session${killed === 1 ? '' : 's'}\n`);
          }
        }
        if (ctx.json)
          ctx.outJson({ action: 'shutdown-sessions', target: describeTarget(target), servers: results });
      });
    });
}
