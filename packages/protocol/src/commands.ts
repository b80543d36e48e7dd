import type { AccessLevel } from './levels.js';

/** A JSON Schema (draft 2020-12) fragment, kept as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What the command table says about one JSON command. */
export interface CommandSpec {
  /** Lowest level allowed to run it, the same in both dialects and both transports. */
  readonly level: AccessLevel;
  /** One line for `help` and the docs. */
  readonly summary: string;
  /** Schema of `args`; every request is validated against it. */
  readonly args: JsonSchema;
}

const NAME = { type: 'string', minLength: 1, maxLength: 256 } as const;

function object(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** `{backend, server}`, plus more properties. */
function onServer(more: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema {
  return object({ backend: NAME, server: NAME, ...more }, ['backend', 'server', ...required]);
}

/**
 * Topics a subscription can ask for. `ports` carries the ports monitor's
 * pressure alerts, `ports-report` its whole report at every scan; new topics
 * go at the end.
 */
export const TOPICS = [
  'stats',
  'server',
  'admin',
  'check',
  'reload',
  'ports',
  'worker',
  'ports-report',
] as const;

/** One subscription topic. */
export type Topic = (typeof TOPICS)[number];

/** Bounds of a subscription's stats interval, in ms. */
export const STATS_INTERVAL_MS = { min: 100, max: 3_600_000, default: 1000 } as const;

/**
 * Every JSON command. The HAProxy text dialect maps its commands onto these
 * names, so one table decides the level of a command wherever it comes from.
 */
export const COMMANDS = {
  hello: {
    level: 'user',
    summary: 'protocol and daemon versions, capabilities, limits and the level of this connection',
    args: object({ client: { type: 'string', maxLength: 128 }, protocol: { type: 'integer', minimum: 1 } }),
  },
  schema: { level: 'user', summary: 'the JSON Schema of every protocol message', args: object({}) },
  help: { level: 'user', summary: 'the commands and the level each needs', args: object({}) },
  'show-info': { level: 'user', summary: 'process information (`show info`)', args: object({}) },
  'show-stat': {
    level: 'user',
    summary: 'stats rows (`show stat`), optionally filtered',
    args: object({
      proxy: { anyOf: [NAME, { type: 'integer', minimum: -1 }] },
      type: { type: 'integer', minimum: -1, maximum: 7 },
      server: { type: 'integer', minimum: -1 },
      filter: { enum: ['up', 'no-maint'] },
    }),
  },
  'show-servers-state': {
    level: 'user',
    summary: 'state of every server, or of one backend',
    args: object({ backend: NAME }),
  },
  'show-backends': { level: 'user', summary: 'names of the backends', args: object({}) },
  'show-sessions': { level: 'operator', summary: 'live sessions (`show sess`)', args: object({}) },
  'show-ports': {
    level: 'user',
    summary: 'source-port and file-descriptor use per (source address -> server) pair (`show ports`)',
    args: object({}),
  },
  'get-weight': { level: 'user', summary: "a server's current and initial weight", args: onServer() },
  'set-weight': {
    level: 'admin',
    summary: 'set a weight, absolute (0-256) or relative to the initial one ("50%")',
    args: onServer(
      {
        weight: {
          anyOf: [
            { type: 'integer', minimum: 0, maximum: 256 },
            { type: 'string', pattern: '^[0-9]{1,6}%$' },
          ],
        },
      },
      ['weight'],
    ),
  },
  'set-state': {
    level: 'admin',
    summary: 'admin state: ready, drain or maint',
    args: onServer({ state: { enum: ['ready', 'drain', 'maint'] } }, ['state']),
  },
  'set-health': {
    level: 'admin',
    summary: 'force the operational state: up or down',
    args: onServer({ health: { enum: ['up', 'stopping', 'down'] } }, ['health']),
  },
  'set-agent': {
    level: 'admin',
    summary: "force the agent check's verdict: up or down",
    args: onServer({ agent: { enum: ['up', 'down'] } }, ['agent']),
  },
  'set-addr': {
    level: 'admin',
    summary: "change a server's IP address and optionally its port",
    args: onServer(
      {
        addr: { type: 'string', minLength: 1, maxLength: 64 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
      },
      ['addr'],
    ),
  },
  'enable-server': { level: 'admin', summary: 'leave maintenance (state ready)', args: onServer() },
  'disable-server': { level: 'admin', summary: 'enter maintenance (state maint)', args: onServer() },
  'enable-health': { level: 'admin', summary: 'resume health checks', args: onServer() },
  'disable-health': {
    level: 'admin',
    summary: 'stop health checks; the server counts as checked OK',
    args: onServer(),
  },
  'enable-agent': { level: 'admin', summary: 'resume agent checks', args: onServer() },
  'disable-agent': { level: 'admin', summary: 'stop agent checks', args: onServer() },
  'shutdown-sessions': { level: 'admin', summary: 'close every session on a server now', args: onServer() },
  reload: {
    level: 'admin',
    summary: 're-read and check the configuration files; apply them without dropping connections',
    args: object({}),
  },
  subscribe: {
    level: 'user',
    summary: 'stream stats snapshots and events; returns the subscription id',
    args: object(
      {
        topics: {
          type: 'array',
          items: { enum: [...TOPICS] },
          minItems: 1,
          maxItems: TOPICS.length,
          uniqueItems: true,
        },
        intervalMs: { type: 'integer', minimum: STATS_INTERVAL_MS.min, maximum: STATS_INTERVAL_MS.max },
      },
      ['topics'],
    ),
  },
  unsubscribe: {
    level: 'user',
    summary: 'end a subscription',
    args: object({ subscription: { type: 'integer', minimum: 1 } }, ['subscription']),
  },
  'lower-level': {
    level: 'user',
    summary: "lower this connection's level for the rest of its life",
    args: object({ level: { enum: ['user', 'operator'] } }, ['level']),
  },
  'set-timeout': {
    level: 'user',
    summary: 'idle timeout of this connection, in seconds',
    args: object({ seconds: { type: 'integer', minimum: 1, maximum: 86_400 } }, ['seconds']),
  },
} as const satisfies Record<string, CommandSpec>;

/** The name of a JSON command. */
export type CommandName = keyof typeof COMMANDS;

/** Every command name, in table order. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** True when `name` is a JSON command. */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(COMMANDS, name);
}
