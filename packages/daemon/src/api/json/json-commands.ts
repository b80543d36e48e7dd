import {
  ApiError,
  COMMAND_NAMES,
  COMMANDS,
  type CommandArgs,
  type CommandName,
  type CommandResults,
  lowerLevel,
  PRODUCT_VERSION,
  PROTOCOL_SCHEMA,
  PROTOCOL_VERSION,
  STATS_INTERVAL_MS,
  TOPICS,
} from '@lbctl/protocol';
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
import { findServer, type ServerTarget } from '../commands/lookup.js';
import { portsReport } from '../commands/ports.js';
import { runReload } from '../commands/reload.js';
import { allServerTargets, serverState } from '../commands/server-state.js';
import { parseWeight } from '../commands/weight.js';
import type { ApiContext, Caller } from '../context.js';
import { infoRecord } from '../haproxy/show-info.js';
import { collectSessions } from '../haproxy/show-sess.js';
import { jsonStatRows } from './subscription-hub.js';

/** What a JSON command may use of its session. */
export interface JsonSessionControl {
  readonly caller: Caller;
  readonly transport: 'unix' | 'ws';
  subscribe(topics: CommandArgs['subscribe']['topics'], intervalMs: number): number;
  unsubscribe(id: number): void;
  setIdleTimeout(ms: number): void;
}

type Handler<C extends CommandName> = (
  ctx: ApiContext,
  session: JsonSessionControl,
  args: CommandArgs[C],
) => CommandResults[C] | Promise<CommandResults[C]>;

type Handlers = { [C in CommandName]: Handler<C> };

/** An admin command on one server that answers with the server's new state. */
function onServer<C extends CommandName>(
  cmd: C,
  persist: boolean,
  act: (target: ServerTarget, reason: string, args: CommandArgs[C], ctx: ApiContext) => void,
): Handler<C> {
  return async (ctx, session, args) => {
    const a = args as unknown as { backend: string; server: string };
    const target = findServer(ctx, a.backend, a.server);
    await runAdminAction(ctx, session.caller, cmd, target, { ...args }, persist, (reason) =>
      act(target, reason, args, ctx),
    );
    return serverState(ctx, target) as CommandResults[C];
  };
}

/** The JSON commands, each the structured twin of a HAProxy-dialect command. */
export const JSON_HANDLERS: Handlers = {
  hello: (ctx, session, args) => {
    if (args.protocol !== undefined && args.protocol !== PROTOCOL_VERSION) {
      throw new ApiError(
        'LB_ERR_PROTOCOL_VERSION',
        `protocol version ${args.protocol} is not supported; this daemon speaks version ${PROTOCOL_VERSION}`,
        { data: { supported: [PROTOCOL_VERSION] } },
      );
    }
    return {
      protocol: PROTOCOL_VERSION,
      daemon: { name: 'lbd', version: PRODUCT_VERSION, pid: process.pid },
      level: session.caller.level,
      transport: session.transport,
      commands: [...COMMAND_NAMES],
      topics: [...TOPICS],
      capabilities: [
        'subscribe',
        ...(session.transport === 'unix' ? ['haproxy-text-dialect'] : []),
        ...(ctx.stateFile === undefined ? [] : ['admin-state-file']),
        ...((ctx.config.global.statsWebSockets?.length ?? 0) > 0 ? ['websocket'] : []),
      ],
      limits: {
        maxLineBytes: ctx.limits.jsonLineBytes,
        maxClients: ctx.limits.maxClients,
        maxSubscriptions: ctx.limits.maxSubscriptions,
        maxBufferedBytes: ctx.limits.maxBufferedBytes,
        idleTimeoutMs: ctx.config.global.statsTimeoutMs,
      },
    };
  },
  schema: () => PROTOCOL_SCHEMA,
  help: () => ({
    commands: COMMAND_NAMES.map((cmd) => ({
      cmd,
      level: COMMANDS[cmd].level,
      summary: COMMANDS[cmd].summary,
    })),
  }),
  'show-info': (ctx) => ({ info: infoRecord(ctx) }),
  'show-stat': (ctx, session, args) => {
    const filter: Parameters<typeof jsonStatRows>[2] = {};
    if (args.proxy !== undefined) filter.proxy = args.proxy;
    if (args.type !== undefined) filter.type = args.type;
    if (args.server !== undefined) filter.server = args.server;
    if (args.filter !== undefined) filter.state = args.filter;
    return { rows: jsonStatRows(ctx, session.caller.level !== 'user', filter) };
  },
  'show-servers-state': (ctx, _session, args) => {
    if (args.backend !== undefined && !ctx.model.backends.has(args.backend)) {
      throw new ApiError('LB_ERR_NO_SUCH_BACKEND', 'No such backend.');
    }
    const now = Date.now();
    return { servers: allServerTargets(ctx, args.backend).map((t) => serverState(ctx, t, now)) };
  },
  'show-backends': (ctx) => ({ backends: [...ctx.model.backends.keys()] }),
  'show-sessions': async (ctx) => ({ sessions: await collectSessions(ctx) }),
  'show-ports': (ctx) => portsReport(ctx),
  'get-weight': (ctx, _session, args) => {
    const { model } = findServer(ctx, args.backend, args.server);
    return { weight: model.weight, initialWeight: model.initialWeight };
  },
  'set-weight': async (ctx, session, args) => {
    const target = findServer(ctx, args.backend, args.server);
    const backend = ctx.model.backends.get(args.backend)!;
    await runAdminAction(ctx, session.caller, 'set-weight', target, { ...args }, true, (reason) =>
      setWeight(
        target,
        parseWeight(String(args.weight), target.model, backend.algorithm, backend.config.hashType),
        reason,
      ),
    );
    return { weight: target.model.weight };
  },
  'set-state': onServer('set-state', true, (t, reason, args) => setAdminState(t, args.state, reason)),
  'set-health': onServer('set-health', false, (t, reason, args) => setHealth(t, args.health, reason)),
  'set-agent': onServer('set-agent', false, (t, reason, args) => setAgent(t, args.agent, reason)),
  'set-addr': async (ctx, session, args) => {
    const target = findServer(ctx, args.backend, args.server);
    const message = await runAdminAction(
      ctx,
      session.caller,
      'set-addr',
      target,
      { ...args },
      false,
      (reason) =>
        setAddress(target, args.addr, args.port === undefined ? undefined : String(args.port), reason),
    );
    return { message, address: target.model.host, port: target.model.port };
  },
  'enable-server': onServer('enable-server', true, (t, reason) => setAdminState(t, 'ready', reason)),
  'disable-server': onServer('disable-server', true, (t, reason) => setAdminState(t, 'maint', reason)),
  'enable-health': onServer('enable-health', true, (t) => setHealthChecks(t, true)),
  'disable-health': onServer('disable-health', true, (t) => setHealthChecks(t, false)),
  'enable-agent': onServer('enable-agent', true, (t, reason) => setAgentChecks(t, true, reason)),
  'disable-agent': onServer('disable-agent', true, (t, reason) => setAgentChecks(t, false, reason)),
  'shutdown-sessions': async (ctx, session, args) => {
    const target = findServer(ctx, args.backend, args.server);
    const killed = await runAdminAction(
      ctx,
      session.caller,
      'shutdown-sessions',
      target,
      { ...args },
      false,
      () => shutdownSessions(target),
    );
    return { killed };
  },
  reload: (ctx) => runReload(ctx, 'api'),
  subscribe: (_ctx, session, args) => {
    const intervalMs = args.intervalMs ?? STATS_INTERVAL_MS.default;
    const subscription = session.subscribe(args.topics, intervalMs);
    return { subscription, topics: args.topics, intervalMs };
  },
  unsubscribe: (_ctx, session, args) => {
    session.unsubscribe(args.subscription);
    return { subscription: args.subscription };
  },
  'lower-level': (_ctx, session, args) => {
    if (lowerLevel(session.caller.level, args.level) !== args.level) {
      throw new ApiError('LB_ERR_PERMISSION_DENIED', 'Permission denied', {
        data: { level: session.caller.level, requested: args.level },
      });
    }
    session.caller.level = args.level;
    return { level: args.level };
  },
  'set-timeout': (_ctx, session, args) => {
    session.setIdleTimeout(args.seconds * 1000);
    return { seconds: args.seconds };
  },
};
