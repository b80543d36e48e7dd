import { COMMAND_NAMES, COMMANDS, type JsonSchema, TOPICS } from './commands.js';
import { API_ERROR_CODES } from './errors.js';
import { EVENT_SCHEMAS } from './events.js';
import { PORTS_REPORT_SCHEMA } from './ports-schema.js';
import { HAPROXY_STAT_COLUMNS } from './stats-columns.js';
import { PROTOCOL_VERSION } from './version.js';

const ID = { anyOf: [{ type: 'string', maxLength: 128 }, { type: 'integer' }] } as const;
const STR = { type: 'string' } as const;
const INT = { type: 'integer' } as const;
const CELL = { type: ['string', 'number'] } as const;

function object(properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

const request: JsonSchema = {
  title: 'Request',
  description: 'Client to daemon: run one command. `args` may be omitted when the command takes none.',
  type: 'object',
  properties: { id: ID, cmd: { enum: [...COMMAND_NAMES] }, args: { type: 'object' } },
  required: ['id', 'cmd'],
  additionalProperties: false,
  allOf: COMMAND_NAMES.map((name) => ({
    if: { properties: { cmd: { const: name } } },
    // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword, not a thenable.
    then: { properties: { args: { $ref: `#/$defs/args/${name}` } } },
  })),
};

const okResponse = object(
  {
    id: ID,
    ok: { const: true },
    data: { description: 'The result; `$defs/results` describes each command.' },
  },
  ['id', 'ok', 'data'],
);

const errorResponse = object(
  {
    id: { anyOf: [ID, { type: 'null' }] },
    ok: { const: false },
    error: object({ code: { enum: Object.keys(API_ERROR_CODES) }, message: STR, data: { type: 'object' } }, [
      'code',
      'message',
    ]),
  },
  ['id', 'ok', 'error'],
);

const statRow: JsonSchema = {
  title: 'StatRow',
  description:
    "One `show stat` row by column name; empty cells are left out. Column '-' is HAProxy's delimiter.",
  type: 'object',
  properties: Object.fromEntries(HAPROXY_STAT_COLUMNS.map((column) => [column, CELL])),
  additionalProperties: false,
};

const statsSnapshot = object(
  {
    time: INT,
    info: { type: 'object', additionalProperties: CELL },
    rows: { type: 'array', items: { $ref: '#/$defs/statRow' } },
  },
  ['time', 'info', 'rows'],
);

const push: JsonSchema = {
  title: 'Push',
  description: 'Daemon to client: a message of a subscription (a stats snapshot or an event).',
  type: 'object',
  properties: {
    subscription: { type: 'integer', minimum: 1 },
    topic: { enum: [...TOPICS] },
    data: { type: 'object' },
  },
  required: ['subscription', 'topic', 'data'],
  additionalProperties: false,
  allOf: TOPICS.map((topic) => ({
    if: { properties: { topic: { const: topic } } },
    // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword, not a thenable.
    then: {
      properties: { data: { $ref: topic === 'stats' ? '#/$defs/statsSnapshot' : `#/$defs/events/${topic}` } },
    },
  })),
};

const serverState = object(
  {
    backend: STR,
    backendId: INT,
    server: STR,
    id: INT,
    address: STR,
    port: INT,
    admin: { enum: ['ready', 'drain', 'maint'] },
    health: { enum: ['up', 'down'] },
    status: STR,
    weight: INT,
    initialWeight: INT,
    backup: { type: 'boolean' },
    sessions: INT,
    lastChangeSec: INT,
    check: { type: 'object' },
    agent: { type: 'object' },
  },
  ['backend', 'server', 'admin', 'health', 'status', 'weight'],
);

/** Result schemas of the commands whose answers clients read field by field. */
const results: Record<string, JsonSchema> = {
  hello: object(
    {
      protocol: { const: PROTOCOL_VERSION },
      daemon: { type: 'object' },
      level: { enum: ['user', 'operator', 'admin'] },
      transport: { enum: ['unix', 'ws'] },
      commands: { type: 'array', items: STR },
      topics: { type: 'array', items: STR },
      capabilities: { type: 'array', items: STR },
      limits: { type: 'object' },
    },
    ['protocol', 'daemon', 'level', 'transport', 'commands', 'topics', 'capabilities', 'limits'],
  ),
  'show-stat': object({ rows: { type: 'array', items: { $ref: '#/$defs/statRow' } } }, ['rows']),
  'show-servers-state': object({ servers: { type: 'array', items: { $ref: '#/$defs/serverState' } } }, [
    'servers',
  ]),
  'show-ports': PORTS_REPORT_SCHEMA,
  'get-weight': object({ weight: INT, initialWeight: INT }, ['weight', 'initialWeight']),
  subscribe: object({ subscription: INT, topics: { type: 'array' }, intervalMs: INT }, [
    'subscription',
    'topics',
    'intervalMs',
  ]),
};

/**
 * The JSON Schema (draft 2020-12) of every message of protocol version
 * {@link PROTOCOL_VERSION}: requests, responses and pushes. The daemon
 * validates each incoming line against `$defs/request`; the `schema` command
 * returns this document.
 */
export const PROTOCOL_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `urn:lbctl:protocol:v${PROTOCOL_VERSION}`,
  title: `lbd runtime API, JSON dialect, protocol version ${PROTOCOL_VERSION}`,
  description:
    'Newline-delimited JSON on a stats socket (a connection whose first byte is `{`) or WebSocket text messages.',
  oneOf: [{ $ref: '#/$defs/request' }, { $ref: '#/$defs/response' }, { $ref: '#/$defs/push' }],
  $defs: {
    request,
    args: Object.fromEntries(COMMAND_NAMES.map((name) => [name, COMMANDS[name].args])),
    response: { oneOf: [{ $ref: '#/$defs/okResponse' }, { $ref: '#/$defs/errorResponse' }] },
    okResponse,
    errorResponse,
    push,
    events: EVENT_SCHEMAS,
    statsSnapshot,
    statRow,
    serverState,
    results,
  },
};

/** The `$defs` entry an incoming message is validated against. */
export const REQUEST_SCHEMA: JsonSchema = { $ref: '#/$defs/request' };
