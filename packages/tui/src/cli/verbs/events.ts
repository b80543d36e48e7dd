import { EVENT_TOPICS, type LbEvent, type Topic } from '@lbctl/protocol';
import type { Command } from 'commander';
import { describeTarget } from '../../connection/index.js';
import { DaemonUnreachableError, UsageError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { eventInBackend, formatEvent } from '../events-format.js';
import { examples } from './help.js';

interface EventsOptions {
  topics?: string;
  backend?: string;
  count?: string;
}

function parseTopics(text: string | undefined): Topic[] {
  if (text === undefined) return [...EVENT_TOPICS];
  const topics = text.split(',').map((t) => t.trim());
  for (const t of topics) {
    if (!(EVENT_TOPICS as readonly string[]).includes(t)) {
      throw new UsageError(`unknown topic '${t}' (topics: ${EVENT_TOPICS.join(', ')})`);
    }
  }
  return [...new Set(topics)] as Topic[];
}

/**
 * Prints the events of `topics` from the one targeted daemon as they come,
 * until Ctrl-C (exit 130), `count` events (exit 0) or the daemon closes the
 * connection (exit 3).
 */
export async function followEvents(
  ctx: VerbContext,
  topics: Topic[],
  backend: string | undefined,
  count: number | undefined,
): Promise<void> {
  const targets = ctx.targets();
  if (targets.length !== 1) throw new UsageError('events follows one daemon: give one --socket or --url');
  const target = targets[0]!;
  const client = await ctx.open(target);
  const interrupt = ctx.interrupted();
  let seen = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      interrupt.promise.catch(reject);
      client.once('close', () =>
        reject(new DaemonUnreachableError(`lbd at ${describeTarget(target)} closed the connection`)),
      );
      const onPush = (push: { topic: string; data: unknown }) => {
        // Snapshots (stats, ports reports) are state, not events: `lbctl status` and `lbctl ports` show them.
        if (push.topic === 'stats' || push.topic === 'ports-report') return;
        const event = push.data as LbEvent;
        // Several pushes can arrive in one chunk: print no more than asked for.
        if (!eventInBackend(event, backend) || (count !== undefined && seen >= count)) return;
        ctx.out(ctx.json ? `${JSON.stringify(event)}\n` : `${formatEvent(ctx.colour, event)}\n`);
        seen++;
        if (count !== undefined && seen >= count) resolve();
      };
      client.subscribe(topics, onPush).then(() => {
        ctx.info(`following ${topics.join(', ')} on ${describeTarget(target)} (Ctrl-C to stop)`);
      }, reject);
    });
  } finally {
    interrupt.dispose();
    client.close();
  }
}

/** `lbctl events`: follow state changes and admin actions until Ctrl-C (or `--count`). */
export function registerEventsVerb(program: Command, deps: CliDeps): void {
  program
    .command('events')
    .summary('follow state changes, health transitions and admin actions (NDJSON with --json)')
    .description(
      "Stream the daemon's events as they happen: server state changes, health-check transitions, admin " +
        'actions (with the socket and level they came from), reloads and port-pressure alerts. One line per ' +
        'event; with --json one JSON object per line (NDJSON), the event as the protocol defines it.',
    )
    .option('--topics <list>', `comma-separated topics (${EVENT_TOPICS.join(', ')})`)
    .option('-b, --backend <name>', 'only events about this backend')
    .option('--count <n>', 'exit 0 after n events')
    .addHelpText(
      'after',
      examples([
        'lbctl events',
        'lbctl events --json | jq -c \'select(.topic == "server")\'',
        'lbctl events --topics admin --backend mysql_ro',
        'lbctl events --topics server --count 1   # wait for the next state change',
      ]),
    )
    .action(async (opts: EventsOptions, command: Command) => {
      const topics = parseTopics(opts.topics);
      const count = opts.count === undefined ? undefined : Number(opts.count);
      if (count !== undefined && !(Number.isInteger(count) && count > 0)) {
        throw new UsageError('--count must be a positive integer');
      }
      await followEvents(new VerbContext(deps, command), topics, opts.backend, count);
    });
}
