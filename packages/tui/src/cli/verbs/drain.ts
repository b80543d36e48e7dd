import type { LbClient, ServerRef } from '@lbctl/protocol';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { type DrainWaitResult, waitForDrain } from '../drain-wait.js';
import { formatDuration, parseDuration } from '../duration.js';
import { formatState, qualified } from '../servers.js';
import { runStateVerb } from './admin.js';
import { examples } from './help.js';

interface DrainOptions {
  backend?: string;
  wait?: boolean;
  timeout?: string;
  then?: 'maint';
  killAfter?: string;
}

/** Parses the wait options; they only make sense with `--wait`. */
function waitSettings(opts: DrainOptions): { timeoutMs?: number; killAfterMs?: number } {
  if (opts.wait !== true) {
    const stray = (['timeout', 'then', 'killAfter'] as const).find((k) => opts[k] !== undefined);
    if (stray !== undefined) {
      throw new UsageError(`--${stray === 'killAfter' ? 'kill-after' : stray} needs --wait`);
    }
    return {};
  }
  return {
    ...(opts.timeout === undefined ? {} : { timeoutMs: parseDuration(opts.timeout, '--timeout') }),
    ...(opts.killAfter === undefined ? {} : { killAfterMs: parseDuration(opts.killAfter, '--kill-after') }),
  };
}

/**
 * A live count on a terminal (one line rewritten in place on stderr); on a
 * pipe, one line each time the count changes, so that logs stay readable.
 */
function progressWriter(ctx: VerbContext, timeoutMs: number | undefined) {
  const tty = ctx.stderr.isTTY === true;
  let last = '';
  const limit = timeoutMs === undefined ? '' : `/${formatDuration(timeoutMs)}`;
  return {
    update(remaining: ReadonlyMap<string, number>, elapsedMs: number): void {
      // The last snapshot (all zero) is followed by the 'drained' line instead.
      if (ctx.quiet || ctx.json || [...remaining.values()].every((n) => n === 0)) return;
      const parts = [...remaining].map(([key, n]) => `${key} ${Number.isNaN(n) ? '?' : n}`);
      const counts = parts.join(', ');
      if (tty) {
        ctx.stderr.write(
          `\r\u001b[Kwaiting for sessions to end: ${counts} (${formatDuration(elapsedMs)}${limit})`,
        );
      } else if (counts !== last) {
        ctx.stderr.write(`waiting for sessions to end: ${counts}\n`);
      }
      last = counts;
    },
    clear(): void {
      if (tty && last !== '' && !ctx.quiet && !ctx.json) ctx.stderr.write('\r\u001b[K');
    },
  };
}

/** `lbctl drain SERVER... [--wait [--timeout D] [--then maint] [--kill-after D]]`. */
export function registerDrainVerb(program: Command, deps: CliDeps): void {
  program
    .command('drain')
    .summary('stop sending new sessions to servers; optionally wait until their sessions end')
    .description(
      'Set the admin state to drain: the server takes no new sessions, existing ones continue. ' +
        "With --wait, follow the daemon's stats stream until the sessions (and the server's queue) reach 0, " +
        'showing a live count on a terminal. --timeout gives up with exit code 7 (the server stays in ' +
        'drain); --kill-after closes the sessions still open after that long; --then maint puts the ' +
        'server in maintenance once it is empty.',
    )
    .argument('<server...>', 'server name (db1), backend/server, or glob (db*)')
    .option('-b, --backend <name>', 'only servers of this backend')
    .option('-w, --wait', 'wait until the sessions reach 0')
    .option('-t, --timeout <duration>', 'with --wait: give up after this long (exit 7), e.g. 30s, 5m')
    .addOption(new Option('--then <state>', 'with --wait: state to set once drained').choices(['maint']))
    .option('--kill-after <duration>', 'with --wait: close the remaining sessions after this long')
    .addHelpText(
      'after',
      examples([
        'lbctl drain db1',
        'lbctl drain db1 --wait --timeout 5m --then maint',
        'lbctl drain mysql_ro/db1 --wait --timeout 2m --kill-after 90s',
        'lbctl drain db1 --wait --timeout 30s || echo "db1 still busy (exit $?)"',
      ]),
    )
    .action(async (servers: string[], opts: DrainOptions, command: Command) => {
      const settings = waitSettings(opts);
      const ctx = new VerbContext(deps, command);
      const setDrain = (c: LbClient, ref: ServerRef) => c.request('set-state', { ...ref, state: 'drain' });
      if (opts.wait !== true) {
        await runStateVerb(ctx, 'drain', servers, opts.backend, setDrain);
        return;
      }
      await runStateVerb(ctx, 'drain', servers, opts.backend, setDrain, async (client, names, result) => {
        const progress = progressWriter(ctx, settings.timeoutMs);
        const interrupt = ctx.interrupted();
        let wait: DrainWaitResult;
        try {
          wait = await waitForDrain(client, names, {
            ...settings,
            now: deps.now,
            interrupted: interrupt.promise,
            onProgress: (remaining, elapsed) => progress.update(remaining, elapsed),
            onKill: (name, killed) => {
              progress.clear();
              ctx.info(`${qualified(name)}: --kill-after closed ${killed} session${killed === 1 ? '' : 's'}`);
            },
          });
        } catch (err) {
          progress.clear();
          if (ctx.json)
            ctx.outJson({ ...result, wait: { drained: false, code: (err as { code?: string }).code } });
          throw err;
        } finally {
          interrupt.dispose();
        }
        progress.clear();
        if (!ctx.json && !ctx.quiet) {
          const how = wait.killed > 0 ? `, ${wait.killed} closed by --kill-after` : '';
          ctx.out(`drained in ${formatDuration(wait.elapsedMs)}${how}\n`);
        }
        const then = [];
        if (opts.then === 'maint') {
          for (const name of names) {
            const state = await client.request('set-state', { ...name, state: 'maint' });
            then.push(state);
            if (!ctx.json && !ctx.quiet) ctx.out(`${formatState(ctx.colour, state)}\n`);
          }
        }
        if (ctx.json) ctx.outJson({ ...result, wait, ...(opts.then === undefined ? {} : { then }) });
      });
    });
}
