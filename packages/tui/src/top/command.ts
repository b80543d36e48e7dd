import { stripVTControlCharacters } from 'node:util';
import { STATS_INTERVAL_MS } from '@lbctl/protocol';
import { type Command, Option } from 'commander';
// Not a React hook, despite its name: the CLI's colour decision.
import { wantColour as colourWanted } from '../cli/colour.js';
import { VerbContext } from '../cli/context.js';
import type { CliDeps } from '../cli/deps.js';
import { parseDuration } from '../cli/duration.js';
import { examples } from '../cli/verbs/help.js';
import { describeTarget } from '../connection/index.js';
import { DaemonUnreachableError, InterruptedError, UsageError } from '../errors.js';
import { glyphsFor } from './format.js';
import { VIEWS, type ViewName } from './keys.js';
import { createLiveSource } from './live-source.js';
import { initialState } from './state.js';

interface TopOptions {
  once?: boolean;
  interval: string;
  readOnly?: boolean;
  view: ViewName;
  width?: string;
}

/** The terminal lbctl top draws on; `CliDeps` carries stdout and stderr, the terminal's input comes from here. */
export interface TopTerminalDeps {
  stdin?: NodeJS.ReadStream;
}

/** Width of `--once` output when stdout is not a terminal: wide enough for every column. */
const PIPE_COLUMNS = 200;

function parseInterval(text: string): number {
  const ms = parseDuration(text, '--interval');
  if (ms < STATS_INTERVAL_MS.min || ms > STATS_INTERVAL_MS.max) {
    throw new UsageError(`--interval must be between ${STATS_INTERVAL_MS.min}ms and 1h, got '${text}'`);
  }
  return ms;
}

function parseWidth(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 40 || n > 1000)
    throw new UsageError(`--width must be 40-1000 columns, got '${text}'`);
  return n;
}

/**
 * Whether stdout can host the live dashboard: a terminal Ink can draw on
 * (a stream with `on`, `columns` and `isTTY`).
 */
function terminalOf(stream: CliDeps['stdout']): NodeJS.WriteStream | undefined {
  const s = stream as Partial<NodeJS.WriteStream>;
  return s.isTTY === true && typeof s.on === 'function' ? (stream as NodeJS.WriteStream) : undefined;
}

/**
 * Loads the Ink and React half of the dashboard. Lazily, so the scripting
 * verbs never pay for loading React; and after choosing React's production
 * build (unless NODE_ENV says otherwise), which renders a frame several
 * times faster than the development build Node would otherwise get.
 */
async function loadRenderer() {
  process.env.NODE_ENV ??= 'production';
  const [once, interactive] = await Promise.all([import('./once.js'), import('./run-interactive.js')]);
  return { ...once, ...interactive };
}

async function runOnceCommand(ctx: VerbContext, deps: CliDeps, options: TopOptions): Promise<void> {
  const { collectOnce, onceReport, renderOnce } = await loadRenderer();
  const targets = ctx.targets();
  const columns = parseWidth(
    options.width,
    deps.stdout.isTTY === true ? (deps.stdout.columns ?? 80) : PIPE_COLUMNS,
  );
  const state = await collectOnce({
    targets,
    connect: deps.connect,
    connectTimeoutMs: ctx.connectTimeoutMs(),
    view: options.view,
    columns,
    now: deps.now,
  });
  const down = state.nodes.filter((n) => n.link !== 'connected');
  if (ctx.json) ctx.outJson(onceReport(state));
  else {
    const frame = renderOnce(state, glyphsFor(deps.env));
    ctx.out(colourWanted(deps.stdout, deps.env, ctx.opts.color) ? frame : stripVTControlCharacters(frame));
  }
  // Nothing reachable at all is exit 3; part of a pair down is on the frame, and said on stderr.
  const reason = (n: (typeof down)[number]) => n.linkError ?? `${n.target}: not reachable`;
  if (down.length === state.nodes.length) throw new DaemonUnreachableError(down.map(reason).join('; '));
  for (const n of down) ctx.info(`lbctl top: ${reason(n)}`);
}

/**
 * Registers `lbctl top`: the live dashboard on a terminal, one frame
 * (`--once`, or whenever stdout is not a terminal), or that frame as JSON
 * (`--json`).
 */
export function registerTopCommand(program: Command, deps: CliDeps): void {
  program
    .command('top')
    .summary('live dashboard: servers, source ports and events of one or several daemons')
    .description(
      'A live view of the daemons, pushed by their subscriptions (no polling): servers per backend with state, ' +
        'checks, weights, sessions, rates and errors; source ports and TIME_WAIT per source address and server; ' +
        'events. Keys act on the selected server (drain, disable, enable, ready, weight, shut down sessions; ' +
        'the dangerous ones ask y/N). Several --socket/--url show the daemons together with a node column. ' +
        'It reconnects by itself when a daemon restarts. Without a terminal on stdout (or with --once) it ' +
        'prints one frame and exits; --json prints that frame as data.',
    )
    .option('--once', 'print one frame and exit (what runs when stdout is not a terminal)')
    .option('--interval <duration>', 'stats update interval', '1s')
    .option('--read-only', 'no actions: the keys that change the daemon are off')
    .addOption(new Option('--view <view>', 'view to start with').choices([...VIEWS]).default('servers'))
    .option('--width <columns>', 'width of the --once frame (default: the terminal, else 200)')
    .addHelpText(
      'after',
      examples([
        'lbctl top',
        'lbctl top --socket /run/lbd/a.sock --socket /run/lbd/b.sock',
        'lbctl top --read-only --socket /run/lbd/stats.sock',
        'lbctl top --once --view ports',
        'lbctl top --once --json | jq .servers',
      ]),
    )
    .action(async (options: TopOptions, command: Command) => {
      const ctx = new VerbContext(deps, command);
      const intervalMs = parseInterval(options.interval);
      const terminal = terminalOf(deps.stdout);
      if (options.once === true || ctx.json || terminal === undefined) {
        await runOnceCommand(ctx, deps, options);
        return;
      }
      const targets = ctx.targets();
      const { runInteractive } = await loadRenderer();
      const code = await runInteractive({
        source: createLiveSource({
          targets,
          connect: deps.connect,
          intervalMs,
          connectTimeoutMs: Math.max(ctx.connectTimeoutMs(), 2000),
          now: deps.now,
        }),
        initial: initialState({
          targets: targets.map(describeTarget),
          readOnly: options.readOnly === true,
          view: options.view,
          intervalMs,
          size: { columns: terminal.columns ?? 80, rows: terminal.rows ?? 24 },
          now: deps.now(),
        }),
        glyphs: glyphsFor(deps.env),
        colour: colourWanted(deps.stdout, deps.env, ctx.opts.color),
        now: deps.now,
        stdout: terminal,
        stdin: (deps as CliDeps & TopTerminalDeps).stdin ?? process.stdin,
        stderr: process.stderr,
        onInterrupt: deps.onInterrupt,
      });
      if (code === 130) throw new InterruptedError('interrupted');
    });
}
