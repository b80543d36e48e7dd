import type { ClientTarget, LbClient } from '@lbctl/protocol';
import type { Command } from 'commander';
import { describeTarget, resolveServers } from '../../connection/index.js';
import { DaemonUnreachableError, NoSuchServerError, UsageError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { parseDuration } from '../duration.js';
import { buildDaemonStatus, type DaemonStatus, filterStatus, type StatusReport } from '../status/model.js';
import { renderStatusCsv, renderStatusTable } from '../status/render.js';
import { STATUS_SCHEMA } from '../status/schema.js';
import { examples } from './help.js';

interface StatusOptions {
  backend?: string;
  csv?: boolean;
  watch?: string | boolean;
  count?: string;
  schema?: boolean;
}

/** Reads one daemon's status, narrowed to a server name/glob and/or a backend. */
export async function readStatus(
  client: LbClient,
  target: ClientTarget,
  pattern: string | undefined,
  backend: string | undefined,
): Promise<DaemonStatus> {
  const [{ servers }, { rows }] = await Promise.all([
    client.request('show-servers-state', {}),
    client.request('show-stat', {}),
  ]);
  const status = buildDaemonStatus(describeTarget(target), servers, rows);
  if (backend !== undefined && !status.backends.some((b) => b.name === backend)) {
    throw new NoSuchServerError(`no backend '${backend}'`);
  }
  const keys =
    pattern === undefined
      ? undefined
      : new Set(resolveServers(servers, pattern, backend).map((n) => `${n.backend}/${n.server}`));
  return filterStatus(status, { backend, servers: keys });
}

function report(deps: CliDeps, daemons: DaemonStatus[]): StatusReport {
  return { format: 'lbctl-status', version: 1, time: deps.now(), daemons };
}

function render(ctx: VerbContext, opts: StatusOptions, daemons: DaemonStatus[]): string {
  if (ctx.json) return `${JSON.stringify(report(ctx.deps, daemons))}\n`;
  if (opts.csv === true) return renderStatusCsv(daemons);
  const many = daemons.length > 1;
  return daemons
    .map((d) => (many ? `${ctx.colour.bold(`== ${d.target}`)}\n` : '') + renderStatusTable(d, ctx.colour))
    .join('\n');
}

/** `--watch`: one status per stats snapshot the daemon pushes, until Ctrl-C or `--count`. */
async function watch(ctx: VerbContext, opts: StatusOptions, pattern: string | undefined): Promise<void> {
  const targets = ctx.targets();
  if (targets.length !== 1) throw new UsageError('--watch follows one daemon: give one --socket or --url');
  const intervalMs = typeof opts.watch === 'string' ? parseDuration(opts.watch, '--watch') : 2000;
  const count = opts.count === undefined ? undefined : Number(opts.count);
  if (count !== undefined && !(Number.isInteger(count) && count > 0))
    throw new UsageError('--count must be a positive integer');
  const target = targets[0]!;
  const client = await ctx.open(target);
  const interrupt = ctx.interrupted();
  const tty = ctx.stdout.isTTY === true && !ctx.json && opts.csv !== true;
  let shown = 0;
  let busy = false;
  try {
    await new Promise<void>((resolve, reject) => {
      interrupt.promise.catch(reject);
      client.once('close', () =>
        reject(new DaemonUnreachableError(`lbd at ${describeTarget(target)} closed the connection`)),
      );
      const onSnapshot = () => {
        // A slow render skips snapshots rather than queueing them.
        if (busy) return;
        busy = true;
        readStatus(client, target, pattern, opts.backend).then(
          (status) => {
            busy = false;
            const text = render(ctx, opts, [status]);
            // On a terminal, redraw in place; elsewhere append (NDJSON with --json).
            ctx.out(tty ? `\u001b[H\u001b[2J${text}` : shown > 0 && !ctx.json ? `\n${text}` : text);
            shown++;
            if (count !== undefined && shown >= count) resolve();
          },
          (err: Error) => reject(err),
        );
      };
      client.subscribe(['stats'], onSnapshot, intervalMs).catch(reject);
    });
  } finally {
    interrupt.dispose();
    client.close();
  }
}

/** `lbctl status [SERVER]`. */
export function registerStatusVerb(program: Command, deps: CliDeps): void {
  program
    .command('status')
    .summary('backends and servers: state, check, weight, sessions, queue, rate, last change')
    .description(
      'Show every backend and its servers: status, check detail, weight, sessions (current, max, limit), ' +
        'queue, session rate and time since the last change. A table on a terminal; --json gives the ' +
        'stable lbctl-status document (schema: STATUS_SCHEMA in packages/tui), --csv one line per server.',
    )
    .argument('[server]', 'only this server: name, backend/server or glob')
    .option('-b, --backend <name>', 'only this backend')
    .option('--csv', 'CSV, one line per server (and one BACKEND line per backend)')
    .option('--watch [interval]', 'refresh on every stats snapshot (default every 2s) until Ctrl-C')
    .option('--count <n>', 'with --watch: stop after n refreshes')
    .option('--schema', 'print the JSON Schema of the --json document and exit')
    .addHelpText(
      'after',
      examples([
        'lbctl status',
        'lbctl status --backend mysql_ro',
        "lbctl status 'db*' --json | jq '.daemons[0].backends[].servers[] | {server, status}'",
        'lbctl status --csv > servers.csv',
        'lbctl status --schema > lbctl-status.schema.json',
        'lbctl status --watch 1s',
      ]),
    )
    .action(async (pattern: string | undefined, opts: StatusOptions, command: Command) => {
      const ctx = new VerbContext(deps, command);
      if (opts.schema === true) {
        ctx.out(`${JSON.stringify(STATUS_SCHEMA, null, 2)}\n`);
        return;
      }
      if (ctx.json && opts.csv === true) throw new UsageError('choose one of --json and --csv');
      if (opts.count !== undefined && opts.watch === undefined) throw new UsageError('--count needs --watch');
      if (opts.watch !== undefined) {
        await watch(ctx, opts, pattern);
        return;
      }
      const daemons: DaemonStatus[] = [];
      await ctx
        .eachClient(async (client, target) => {
          daemons.push(await readStatus(client, target, pattern, opts.backend));
        })
        .finally(() => {
          // With several daemons, print what was read even if one failed.
          if (daemons.length > 0) ctx.out(render(ctx, opts, daemons));
        });
    });
}
