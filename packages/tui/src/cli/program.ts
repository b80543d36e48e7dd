import { PRODUCT_VERSION } from '@lbctl/protocol';
import { Command, CommanderError, Option } from 'commander';
import { registerTopCommand } from '../top/command.js';
import type { CliDeps } from './deps.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
import { registerHealthVerb, registerShutdownVerb, registerStateVerbs } from './verbs/admin.js';
import { registerCheckVerb } from './verbs/check.js';
import { registerCompletionVerb } from './verbs/completion.js';
import { registerDrainVerb } from './verbs/drain.js';
import { registerEventsVerb } from './verbs/events.js';
import { examples } from './verbs/help.js';
import { registerPortsVerb } from './verbs/ports.js';
import { registerRawVerb } from './verbs/raw.js';
import { registerReloadVerb } from './verbs/reload.js';
import { registerStatusVerb } from './verbs/status.js';
import { registerWeightVerb } from './verbs/weight.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const FOOTER = `
Target: --socket PATH (repeatable), else $LBCTL_SOCKET, else /run/lbd/admin.sock;
or --url ws://HOST:PORT (repeatable) with --token-file FILE for a remote daemon.
Servers: db1 (searched in every backend), backend/db1, globs such as 'db*', --backend NAME.
Output: tables on a terminal (colour unless NO_COLOR or --no-color), --json for scripts;
data on stdout, diagnostics on stderr.

${EXIT_CODES_HELP}
${examples([
  'lbctl status',
  'lbctl disable db1 && lbctl enable db1',
  'lbctl drain db1 --wait --timeout 5m --then maint',
  'lbctl --socket /run/lbd/stats.sock check',
  'lbctl --url ws://10.0.0.5:9100 --token-file ~/.lbd-token status --json',
])}`;

/**
 * Builds lbctl's commander program. Nothing here touches the process: output
 * goes to `deps`, errors are thrown (`exitOverride`), so tests run the
 * program in-process and {@link runCli} turns the outcome into an exit code.
 */
export function createProgram(deps: CliDeps): Command {
  const program = new Command('lbctl')
    .description("lbd's operations console: scriptable verbs and a live dashboard (lbctl top)")
    .version(PRODUCT_VERSION, '-V, --version')
    .option('-s, --socket <path>', 'stats socket of the daemon (repeatable)', collect)
    .option('-u, --url <url>', 'WebSocket URL of a remote daemon, ws://HOST:PORT (repeatable)', collect)
    .option('--token-file <file>', 'file holding the bearer token for --url')
    .option('--connect-timeout <duration>', 'give up on an unresponsive daemon after this long', '1s')
    .option('-j, --json', 'machine-readable JSON on stdout')
    .option('-q, --quiet', 'print nothing but errors (and what --json asks for)')
    .addOption(new Option('--no-color', 'no ANSI colour (also: NO_COLOR=1)'))
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
      outputError: (text, write) => write(`lbctl: ${text.replace(/^error: /, '')}`),
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError('(run lbctl --help, or lbctl VERB --help)')
    .addHelpText('after', FOOTER);

  registerStatusVerb(program, deps);
  registerStateVerbs(program, deps);
  registerDrainVerb(program, deps);
  registerWeightVerb(program, deps);
  registerHealthVerb(program, deps);
  registerShutdownVerb(program, deps);
  registerCheckVerb(program, deps);
  registerPortsVerb(program, deps);
  registerEventsVerb(program, deps);
  registerReloadVerb(program, deps);
  registerRawVerb(program, deps);
  registerTopCommand(program, deps);
  registerCompletionVerb(program, deps);
  return program;
}

/**
 * Runs lbctl with `argv` (the arguments after the program name) and returns
 * the exit code: 0, or the code of the error class (see `exit-codes.ts`).
 * Errors print as one line on stderr: `lbctl: <message>`.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const program = createProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    deps.stderr.write(`lbctl: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return exitCodeFor(err);
  }
}
