import type { CommandArgs, CommandName, CommandResults } from '@lbctl/protocol';

/** An operator action on one server. */
export type ServerActionId = 'enable' | 'disable' | 'drain' | 'ready' | 'weight' | 'shutdown';

/** A server on one daemon, as an action names it. */
export interface ServerTarget {
  /** The row key (node, backend, server). */
  readonly key: string;
  readonly node: number;
  readonly backend: string;
  readonly server: string;
}

/** A request the dashboard sends for an action. */
export interface ActionRequest {
  readonly cmd: CommandName;
  readonly args: CommandArgs[CommandName];
}

/** What the key table and the confirmation need to know about an action. */
export interface ServerActionSpec {
  readonly id: ServerActionId;
  /** Takes users out of a server, or cuts them: asks for confirmation first. */
  readonly dangerous: boolean;
  /** Asks for a value first (the weight). */
  readonly prompt: string | undefined;
  /** What the confirmation asks, e.g. `drain mysql/db1 on lb-a`. */
  describe(subject: string, value: string | undefined): string;
  request(target: ServerTarget, value: string | undefined): ActionRequest;
  /** The daemon's answer in a few words. */
  result(data: unknown): string;
}

type StateResult = CommandResults['set-state'];

const stateResult = (data: unknown) => `now ${(data as StateResult).status}`;
const ref = (t: ServerTarget) => ({ backend: t.backend, server: t.server });

/**
 * The actions, by id. Enable and ready put a server back and run at once;
 * disable, drain, weight and shutdown change who gets served and ask first.
 */
export const SERVER_ACTIONS: Readonly<Record<ServerActionId, ServerActionSpec>> = {
  enable: {
    id: 'enable',
    dangerous: false,
    prompt: undefined,
    describe: (s) => `enable ${s} (leave maintenance)`,
    request: (t) => ({ cmd: 'enable-server', args: ref(t) }),
    result: stateResult,
  },
  disable: {
    id: 'disable',
    dangerous: true,
    prompt: undefined,
    describe: (s) => `disable ${s} (maintenance: no new sessions, checks stop)`,
    request: (t) => ({ cmd: 'disable-server', args: ref(t) }),
    result: stateResult,
  },
  drain: {
    id: 'drain',
    dangerous: true,
    prompt: undefined,
    describe: (s) => `drain ${s} (no new sessions, current ones finish)`,
    request: (t) => ({ cmd: 'set-state', args: { ...ref(t), state: 'drain' } }),
    result: stateResult,
  },
  ready: {
    id: 'ready',
    dangerous: false,
    prompt: undefined,
    describe: (s) => `set ${s} ready`,
    request: (t) => ({ cmd: 'set-state', args: { ...ref(t), state: 'ready' } }),
    result: stateResult,
  },
  weight: {
    id: 'weight',
    dangerous: true,
    prompt: 'weight (0-256, or N% of the configured weight)',
    describe: (s, v) => `set the weight of ${s} to ${v ?? '?'}`,
    request: (t, v) => ({
      cmd: 'set-weight',
      args: { ...ref(t), weight: v?.endsWith('%') ? (v as `${number}%`) : Number(v) },
    }),
    result: (data) => `weight ${(data as CommandResults['set-weight']).weight}`,
  },
  shutdown: {
    id: 'shutdown',
    dangerous: true,
    prompt: undefined,
    describe: (s) => `shut down every session on ${s}`,
    request: (t) => ({ cmd: 'shutdown-sessions', args: ref(t) }),
    result: (data) => `${(data as CommandResults['shutdown-sessions']).killed} sessions closed`,
  },
};

/** Whether a weight typed at the prompt is one the daemon accepts: 0-256 or `N%`. */
export function validWeight(text: string): boolean {
  if (/^\d{1,6}%$/.test(text)) return true;
  if (!/^\d{1,3}$/.test(text)) return false;
  return Number(text) <= 256;
}
