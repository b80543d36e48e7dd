import type { JsonSchema, Topic } from './commands.js';
import type { AccessLevel } from './levels.js';
import type { PortsReport } from './ports.js';
import { PORTS_REPORT_PROPERTIES } from './ports-schema.js';

/** Where an admin action came from: the socket or listener, its transport and level. */
export interface ActionSource {
  transport: 'unix' | 'ws';
  dialect: 'haproxy' | 'json';
  /** Socket path, or `host:port` of the WebSocket listener. */
  socket: string;
  level: AccessLevel;
}

/** A server's admin state, health, weight or address changed, with why. */
export interface ServerStateEvent {
  topic: 'server';
  /** Epoch ms. */
  time: number;
  backend: string;
  server: string;
  field: 'admin' | 'health' | 'weight' | 'address';
  from: string;
  to: string;
  reason: string;
  /** HAProxy's status word after the change (`UP`, `DOWN`, `MAINT`, `DRAIN`, `no check`...). */
  status: string;
}

/** An operator ran a command that changes state, successfully or not. */
export interface AdminActionEvent {
  topic: 'admin';
  time: number;
  /** JSON command name (the text dialect's commands map onto them). */
  command: string;
  backend?: string;
  server?: string;
  /** The arguments as given, for the audit trail. */
  args: Record<string, unknown>;
  source: ActionSource;
  ok: boolean;
  /** Error code when `ok` is false. */
  error?: string;
}

/**
 * A change of a server's displayed status caused by health (active checks,
 * the agent, passive health, or an operator forcing it), as the health
 * checker publishes it: `UP` -> `UP 2/3` -> `DOWN`, `UP` -> `NOLB`...
 */
export interface CheckEvent {
  topic: 'check';
  time: number;
  /** The health checker's event number, increasing without gaps. */
  seq?: number;
  backend: string;
  server: string;
  /** Status strings as `show stat` prints them. */
  from: string;
  to: string;
  /** Why, in words: the check's text, the agent's reply, the passive-health summary. */
  reason: string;
  source: 'check' | 'agent' | 'observe' | 'admin';
  /** The check (or agent) result behind the change, e.g. `L4CON`, `L7STS`. */
  checkStatus?: string | undefined;
  checkCode?: number | undefined;
  checkDurationMs?: number | undefined;
}

/** A configuration reload started, finished or failed. */
export interface ReloadEvent {
  topic: 'reload';
  time: number;
  phase: 'started' | 'done' | 'failed';
  detail?: string;
}

/** Source ports toward a server are running out (the ports monitor). */
export interface PortPressureEvent {
  topic: 'ports';
  time: number;
  /** Local (source) address the connections leave from. */
  source: string;
  /** `ip:port` of the server. */
  destination: string;
  used: number;
  available: number;
  level: 'ok' | 'warning' | 'critical';
}

/**
 * A data-plane worker (`nbthread` > 1) died, or its replacement took over
 * its slot. Only the dead worker's own connections were lost.
 */
export interface WorkerLifeEvent {
  topic: 'worker';
  time: number;
  /** The worker's slot, 0 to nbthread - 1. */
  worker: number;
  /** The process: the dead one for `died`, the new one for `replaced`. */
  pid?: number | undefined;
  what: 'died' | 'replaced';
  detail: string;
}

/** Something that happened in the daemon, as subscribers get it (and `lbctl events` prints it). */
export type LbEvent =
  | ServerStateEvent
  | AdminActionEvent
  | CheckEvent
  | ReloadEvent
  | PortPressureEvent
  | WorkerLifeEvent;

/** The topic of each {@link LbEvent} type, for exhaustiveness checks. */
export type EventTopic = LbEvent['topic'];

/** The topics whose pushes are {@link LbEvent}s, in {@link TOPICS} order. */
export const EVENT_TOPICS = [
  'server',
  'admin',
  'check',
  'reload',
  'ports',
  'worker',
] as const satisfies readonly EventTopic[];

/**
 * Each scan of the ports monitor: the whole `show-ports` report, with its
 * topic. It is state, not news (like a stats snapshot, it comes on an
 * interval, about every 5 s), so it has a topic of its own: subscribers of
 * `ports` keep getting only the pressure alerts, and `lbctl events` does not
 * print a line per scan.
 */
export interface PortsReportEvent extends PortsReport {
  topic: 'ports-report';
}

/** Everything the daemon's event stream carries: the events and the ports reports. */
export type StreamedEvent = LbEvent | PortsReportEvent;

/** The topics whose pushes are {@link StreamedEvent}s (every topic but `stats`). */
export type StreamedTopic = Exclude<Topic, 'stats'>;

const STR = { type: 'string' } as const;
const INT = { type: 'integer' } as const;
const TIME = { type: 'integer', minimum: 0 } as const;

function event(topic: string, properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return {
    type: 'object',
    properties: { topic: { const: topic }, time: TIME, ...properties },
    required: ['topic', 'time', ...required],
    additionalProperties: false,
  };
}

/** JSON Schemas of the streamed events, by topic. */
export const EVENT_SCHEMAS: Readonly<Record<StreamedTopic, JsonSchema>> = {
  server: event(
    'server',
    {
      backend: STR,
      server: STR,
      field: { enum: ['admin', 'health', 'weight', 'address'] },
      from: STR,
      to: STR,
      reason: STR,
      status: STR,
    },
    ['backend', 'server', 'field', 'from', 'to', 'reason', 'status'],
  ),
  admin: event(
    'admin',
    {
      command: STR,
      backend: STR,
      server: STR,
      args: { type: 'object' },
      source: {
        type: 'object',
        properties: {
          transport: { enum: ['unix', 'ws'] },
          dialect: { enum: ['haproxy', 'json'] },
          socket: STR,
          level: { enum: ['user', 'operator', 'admin'] },
        },
        required: ['transport', 'dialect', 'socket', 'level'],
        additionalProperties: false,
      },
      ok: { type: 'boolean' },
      error: STR,
    },
    ['command', 'args', 'source', 'ok'],
  ),
  check: event(
    'check',
    {
      seq: { type: 'integer', minimum: 0 },
      backend: STR,
      server: STR,
      from: STR,
      to: STR,
      reason: STR,
      source: { enum: ['check', 'agent', 'observe', 'admin'] },
      checkStatus: STR,
      checkCode: INT,
      checkDurationMs: { type: 'number', minimum: 0 },
    },
    ['backend', 'server', 'from', 'to', 'reason', 'source'],
  ),
  reload: event('reload', { phase: { enum: ['started', 'done', 'failed'] }, detail: STR }, ['phase']),
  ports: event(
    'ports',
    {
      source: STR,
      destination: STR,
      used: { type: 'integer', minimum: 0 },
      available: { type: 'integer', minimum: 0 },
      level: { enum: ['ok', 'warning', 'critical'] },
    },
    ['source', 'destination', 'used', 'available', 'level'],
  ),
  worker: event(
    'worker',
    {
      worker: { type: 'integer', minimum: 0 },
      pid: { type: 'integer', minimum: 1 },
      what: { enum: ['died', 'replaced'] },
      detail: STR,
    },
    ['worker', 'what', 'detail'],
  ),
  'ports-report': event('ports-report', PORTS_REPORT_PROPERTIES, Object.keys(PORTS_REPORT_PROPERTIES)),
};
