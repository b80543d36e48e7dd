import {
  ApiError,
  type CommandName,
  lowerLevel,
  PRODUCT_VERSION,
  PROTOCOL_VERSION,
  type ReloadResult,
} from '@lbctl/protocol';
import { renderPortsText } from '../../ports/index.js';
import {
  runAdminAction,
  setAddress,
  setAdminState,
  setAgent,
  setAgentChecks,
  setHealth,
  setHealthChecks,
  setWeight,
  shutdownSessions,
} from '../commands/admin-actions.js';
import { authorize, findServer, parseServerPath, type ServerTarget } from '../commands/lookup.js';
import { portsReport } from '../commands/ports.js';
import { runReload } from '../commands/reload.js';
import { parseWeight } from '../commands/weight.js';
import type { ApiContext, Caller } from '../context.js';
import { type HelpEntry, helpReply } from './help.js';
import { atoi } from './line-parser.js';
import { renderServersState, renderShowBackend } from './servers-state.js';
import { renderShowInfo } from './show-info.js';
import { renderShowSess } from './show-sess.js';
import { renderStatCsv, renderStatJson, renderStatTyped } from './stat-format.js';
import { collectStatRows, type StatFilter } from './stat-table.js';
import { STATS_SCHEMA_JSON } from './stats-schema.js';

/** What a text command may do to its connection. */
export interface TextSessionControl {
  readonly caller: Caller;
  /** `set timeout cli`: the idle timeout of this connection, in ms. */
  setIdleTimeout(ms: number): void;
}

/** One HAProxy-dialect command. */
export interface TextCommand extends HelpEntry {
  /** The JSON command whose level applies; none for commands every level may run. */
  readonly cmd?: CommandName;
  run(ctx: ApiContext, session: TextSessionControl, args: string[]): string | Promise<string>;
}

function target(ctx: ApiContext, arg: string | undefined): ServerTarget {
  const { backend, server } = parseServerPath(arg);
  return findServer(ctx, backend, server);
}

function adminOn(
  cmd: CommandName,
  persist: boolean,
  act: (t: ServerTarget, reason: string, args: string[], ctx: ApiContext) => unknown,
): TextCommand['run'] {
  return async (ctx, session, args) => {
    const t = target(ctx, args[0]);
    const message = await runAdminAction(ctx, session.caller, cmd, t, { argv: args }, persist, (reason) =>
      act(t, reason, args.slice(1), ctx),
    );
    return typeof message === 'string' ? `${message}\n` : '';
  };
}

function weightFor(ctx: ApiContext, t: ServerTarget, text: string | undefined): number {
  const backend = ctx.model.backends.get(t.model.backendName)!;
  return parseWeight(text, t.model, backend.algorithm, backend.config.hashType);
}

/** `show stat [{iid|name} type sid] [typed|json|up|no-maint|desc]*`, parsed as HAProxy 2.6 does. */
function showStat(ctx: ApiContext, session: TextSessionControl, args: string[]): string {
  let i = 0;
  if (args[i] === 'domain') i += 2;
  const filter: StatFilter = {};
  if (args[i] && args[i + 1] && args[i + 2]) {
    const named = ctx.model.config.proxies.find((p) => p.name === args[i]);
    const id = named?.id ?? atoi(args[i]);
    if (id === 0) throw new ApiError('LB_ERR_NO_SUCH_PROXY', 'No such proxy.');
    filter.proxy = id;
    filter.type = atoi(args[i + 1]);
    filter.server = atoi(args[i + 2]);
    i += 3;
  }
  let format: 'csv' | 'typed' | 'json' = 'csv';
  for (const word of args.slice(i)) {
    if (word === 'typed' || word === 'json') format = word;
    else if (word === 'up' || word === 'no-maint') filter.state = word;
  }
  const rows = collectStatRows(
    ctx.model,
    ctx.dataPlane,
    { showSensitive: session.caller.level !== 'user', stopping: ctx.stopping, tracker: ctx.tracker },
    filter,
  );
  if (format === 'typed') return renderStatTyped(rows);
  return format === 'json' ? renderStatJson(rows) : renderStatCsv(rows);
}

const SET_SERVER_USAGE =
  'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight';

/** `set server B/S FIELD ...`, one admin action per field. */
async function setServer(ctx: ApiContext, session: TextSessionControl, args: string[]): Promise<string> {
  const t = target(ctx, args[0]);
  const [field, value, ...rest] = args.slice(1);
  const run = (cmd: CommandName, persist: boolean, act: (reason: string) => unknown) =>
    runAdminAction(ctx, session.caller, cmd, t, { argv: args }, persist, act);
  switch (field) {
    case 'state': {
      if (value !== 'ready' && value !== 'drain' && value !== 'maint') {
        throw new ApiError(
          'LB_ERR_BAD_ARGUMENT',
          "'set server <srv> state' expects 'ready', 'drain' and 'maint'.",
        );
      }
      await run('set-state', true, (reason) => setAdminState(t, value, reason));
      return '';
    }
    case 'weight': {
      await run('set-weight', true, (reason) => setWeight(t, weightFor(ctx, t, value), reason));
      return '';
    }
    case 'health': {
      if (value !== 'up' && value !== 'stopping' && value !== 'down') {
        throw new ApiError(
          'LB_ERR_BAD_ARGUMENT',
          "'set server <srv> health' expects 'up', 'stopping', or 'down'.",
        );
      }
      await run('set-health', false, (reason) => setHealth(t, value, reason));
      return '';
    }
    case 'agent': {
      if (!t.model.check.agentEnabled) {
        throw new ApiError('LB_ERR_NOT_CONFIGURED', 'agent checks are not enabled on this server.');
      }
      if (value !== 'up' && value !== 'down') {
        throw new ApiError('LB_ERR_BAD_ARGUMENT', "'set server <srv> agent' expects 'up' or 'down'.");
      }
      await run('set-agent', false, (reason) => setAgent(t, value, reason));
      return '';
    }
    case 'addr': {
      const port = rest[0] === 'port' ? (rest[1] ?? '') : undefined;
      return `${await run('set-addr', false, (reason) => setAddress(t, value, port, reason))}\n`;
    }
    case 'agent-addr':
    case 'agent-port':
    case 'agent-send':
    case 'check-addr':
    case 'check-port':
    case 'fqdn':
    case 'ssl':
      throw new ApiError('LB_ERR_UNSUPPORTED', `lbd does not support 'set server <srv> ${field}'.`);
    default:
      throw new ApiError('LB_ERR_BAD_ARGUMENT', SET_SERVER_USAGE);
  }
}

function lower(level: 'user' | 'operator'): TextCommand['run'] {
  return (_ctx, session) => {
    if (lowerLevel(session.caller.level, level) !== level) {
      throw new ApiError('LB_ERR_PERMISSION_DENIED', 'Permission denied');
    }
    session.caller.level = level;
    return '';
  };
}

function setTimeoutCli(_ctx: ApiContext, session: TextSessionControl, args: string[]): string {
  if (args[0] !== 'cli') throw new ApiError('LB_ERR_BAD_ARGUMENT', "'set timeout' only supports 'cli'.");
  if (args[1] === undefined) throw new ApiError('LB_ERR_BAD_ARGUMENT', 'Expects an integer value.');
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(args[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match?.[2] ?? 's'] ?? 1000;
  const ms = match === null ? 0 : Number(match[1]) * unit;
  if (ms <= 0 || ms > 2_147_483_647) throw new ApiError('LB_ERR_BAD_ARGUMENT', 'Invalid timeout value.');
  session.setIdleTimeout(ms);
  return '';
}

/**
 * The HAProxy-dialect commands lbd implements, in `help` order. lbd's own
 * additions start with the word `lbd`, which HAProxy never uses.
 */
export const TEXT_COMMANDS: readonly TextCommand[] = [
  {
    words: ['disable', 'agent'],
    usage: 'disable agent <bk>/<srv>',
    help: 'stop the agent checks of a server',
    cmd: 'disable-agent',
    run: adminOn('disable-agent', true, (t, reason) => setAgentChecks(t, false, reason)),
  },
  {
    words: ['disable', 'health'],
    usage: 'disable health <bk>/<srv>',
    help: 'stop the health checks of a server',
    cmd: 'disable-health',
    run: adminOn('disable-health', true, (t) => setHealthChecks(t, false)),
  },
  {
    words: ['disable', 'server'],
    usage: 'disable server <bk>/<srv>',
    help: 'put a server in maintenance (as set server ... state maint)',
    cmd: 'disable-server',
    run: adminOn('disable-server', true, (t, reason) => setAdminState(t, 'maint', reason)),
  },
  {
    words: ['enable', 'agent'],
    usage: 'enable agent <bk>/<srv>',
    help: 'resume the agent checks of a server',
    cmd: 'enable-agent',
    run: adminOn('enable-agent', true, (t, reason) => setAgentChecks(t, true, reason)),
  },
  {
    words: ['enable', 'health'],
    usage: 'enable health <bk>/<srv>',
    help: 'resume the health checks of a server',
    cmd: 'enable-health',
    run: adminOn('enable-health', true, (t) => setHealthChecks(t, true)),
  },
  {
    words: ['enable', 'server'],
    usage: 'enable server <bk>/<srv>',
    help: 'take a server out of maintenance (as set server ... state ready)',
    cmd: 'enable-server',
    run: adminOn('enable-server', true, (t, reason) => setAdminState(t, 'ready', reason)),
  },
  {
    words: ['get', 'weight'],
    usage: 'get weight <bk>/<srv>',
    help: "print a server's current and configured weight",
    cmd: 'get-weight',
    run: (ctx, _s, args) => {
      const t = target(ctx, args[0]);
      return `${t.model.weight} (initial ${t.model.initialWeight})\n`;
    },
  },
  {
    words: ['lbd', 'version'],
    usage: 'lbd version',
    help: 'lbd extension: daemon and JSON protocol versions',
    cmd: 'hello',
    run: () => `lbd ${PRODUCT_VERSION} protocol ${PROTOCOL_VERSION}\n`,
  },
  {
    words: ['operator'],
    usage: 'operator',
    help: "lower this connection's level to operator",
    cmd: 'lower-level',
    run: lower('operator'),
  },
  {
    words: ['set', 'server'],
    usage: 'set server <bk>/<srv> <field> <value>',
    help: 'set state (ready|drain|maint), weight, health, agent or addr',
    cmd: 'set-state',
    run: setServer,
  },
  {
    words: ['set', 'timeout'],
    usage: 'set timeout cli <delay>',
    help: "change this connection's idle timeout (seconds by default)",
    cmd: 'set-timeout',
    run: setTimeoutCli,
  },
  {
    words: ['set', 'weight'],
    usage: 'set weight <bk>/<srv> <weight>[%]',
    help: "change a server's weight (absolute, or % of the configured one)",
    cmd: 'set-weight',
    run: adminOn('set-weight', true, (t, reason, rest, ctx) => {
      setWeight(t, weightFor(ctx, t, rest[0]), reason);
    }),
  },
  {
    words: ['show', 'backend'],
    usage: 'show backend',
    help: 'list the backends',
    cmd: 'show-backends',
    run: (ctx) => renderShowBackend(ctx),
  },
  {
    words: ['show', 'info'],
    usage: 'show info [json|typed]*',
    help: 'print process information',
    cmd: 'show-info',
    run: (ctx, _s, args) =>
      renderShowInfo(ctx, args.includes('json') ? 'json' : args.includes('typed') ? 'typed' : 'text'),
  },
  {
    words: ['show', 'schema', 'json'],
    usage: 'show schema json',
    help: 'print the JSON schema of show info/stat json',
    cmd: 'show-stat',
    run: () => STATS_SCHEMA_JSON,
  },
  {
    words: ['show', 'servers', 'state'],
    usage: 'show servers state [<backend>]',
    help: 'print the state of every server, or of one backend',
    cmd: 'show-servers-state',
    run: (ctx, _s, args) => renderServersState(ctx, args[0]),
  },
  {
    // Not an HAProxy command (HAProxy has no port accounting); the issue that
    // asked for it names it so, and HAProxy 2.6 has no `show ports` to collide with.
    words: ['show', 'ports'],
    usage: 'show ports',
    help: 'source-port and file-descriptor use per source address and server',
    cmd: 'show-ports',
    run: async (ctx) => renderPortsText(await portsReport(ctx)),
  },
  {
    words: ['show', 'sess'],
    usage: 'show sess',
    help: 'list the live sessions',
    cmd: 'show-sessions',
    run: (ctx) => renderShowSess(ctx),
  },
  {
    words: ['show', 'stat'],
    usage: 'show stat [json|typed|up|no-maint]*',
    help: 'print the counters of every proxy and server (CSV)',
    cmd: 'show-stat',
    run: showStat,
  },
  {
    words: ['shutdown', 'sessions', 'server'],
    usage: 'shutdown sessions server <bk>/<srv>',
    help: 'close every session on a server',
    cmd: 'shutdown-sessions',
    run: adminOn('shutdown-sessions', false, (t) => {
      shutdownSessions(t);
    }),
  },
  {
    words: ['lbd', 'reload'],
    usage: 'lbd reload',
    help: 're-read the configuration files and apply them without dropping connections',
    cmd: 'reload',
    run: async (ctx) => formatReloadText(await runReload(ctx, 'api')),
  },
  {
    words: ['user'],
    usage: 'user',
    help: "lower this connection's level to user",
    cmd: 'lower-level',
    run: lower('user'),
  },
  {
    words: ['help'],
    usage: 'help [<command>]',
    help: 'list the commands',
    run: (_ctx, _s, args) => helpReply(HELP_ENTRIES, args),
  },
];

/**
 * The text dialect's reload reply, in the shape of HAProxy's master CLI:
 * `Success=1` or `Success=0` first, then the summary or one error per line.
 */
function formatReloadText(result: ReloadResult): string {
  if (result.applied) return `Success=1\n${result.summary ?? ''}\n`;
  return `Success=0\n${(result.errors ?? []).join('\n')}\n`;
}

/** The commands `help` and the unknown-command reply list (help, prompt and quit come last). */
export const HELP_ENTRIES: readonly TextCommand[] = TEXT_COMMANDS.filter((c) => c.words[0] !== 'help');

/** The command a line's words name (longest keyword match), with its arguments. */
export function findTextCommand(
  words: readonly string[],
): { command: TextCommand; args: string[] } | undefined {
  let found: TextCommand | undefined;
  for (const command of TEXT_COMMANDS) {
    if (
      command.words.every((w, i) => words[i] === w) &&
      (found === undefined || command.words.length > found.words.length)
    ) {
      found = command;
    }
  }
  return found === undefined ? undefined : { command: found, args: words.slice(found.words.length) };
}

/** Runs one command after the level check, which HAProxy makes before reading any argument. */
export function runTextCommand(
  ctx: ApiContext,
  session: TextSessionControl,
  command: TextCommand,
  args: string[],
): string | Promise<string> {
  if (command.cmd !== undefined && command.words[0] !== 'user' && command.words[0] !== 'operator') {
    authorize(session.caller, command.cmd);
  }
  if (ctx.refreshCounters === undefined) return command.run(ctx, session, args);
  return ctx.refreshCounters().then(() => command.run(ctx, session, args));
}
