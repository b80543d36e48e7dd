import type { Command } from 'commander';
import { PermissionDeniedError, UsageError } from '../../errors.js';
import { VerbContext } from '../context.js';
import type { CliDeps } from '../deps.js';
import { sendRawCommand } from '../raw-sender.js';
import { examples } from './help.js';

/** How long `raw` waits for a reply (`show stat` on a big config takes a moment). */
const RAW_TIMEOUT_MS = 10_000;

/** `lbctl raw 'HAPROXY COMMAND'`: HAProxy's text dialect, reply printed as is. */
export function registerRawVerb(program: Command, deps: CliDeps): void {
  program
    .command('raw')
    .summary("send a HAProxy runtime-API command over the socket's text dialect and print the reply")
    .description(
      "Send one command in HAProxy's text dialect (as `socat stdio` would) and print the reply verbatim. " +
        'Several words are joined with spaces; `;` chains commands as in HAProxy. Needs a UNIX socket ' +
        '(--socket or LBCTL_SOCKET): the WebSocket listener speaks only the JSON dialect. A reply of ' +
        '"Permission denied" exits 6.',
    )
    .argument('<command...>', 'the HAProxy command, e.g. "show servers state"')
    .addHelpText(
      'after',
      examples([
        "lbctl raw 'show stat'",
        "lbctl raw 'set server mysql_ro/db1 state drain'",
        'lbctl raw show servers state mysql_ro',
        "lbctl raw 'show info; show backend'",
      ]),
    )
    .action(async (words: string[], _opts: unknown, command: Command) => {
      const ctx = new VerbContext(deps, command);
      const text = words.join(' ');
      if (/[\r\n]/.test(text)) throw new UsageError('raw: the command must be one line');
      const send = deps.sendRaw ?? sendRawCommand;
      const targets = ctx.targets();
      const many = targets.length > 1;
      for (const target of targets) {
        if (!('path' in target)) throw new UsageError('raw needs --socket PATH: WebSocket speaks only JSON');
        const reply = await send(target.path, text, RAW_TIMEOUT_MS);
        if (many) ctx.out(`${ctx.colour.bold(`== ${target.path}`)}\n`);
        ctx.out(reply);
        if (reply.trim() === 'Permission denied') {
          throw new PermissionDeniedError(`${target.path}: permission denied for '${text}'`);
        }
      }
    });
}
