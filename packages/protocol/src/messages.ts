import type { CommandName, JsonSchema, Topic } from './commands.js';
import type { ApiErrorCode } from './errors.js';
import type { LbEvent, PortsReportEvent } from './events.js';
import type { AccessLevel } from './levels.js';
import type { PortsReport } from './ports.js';
import type { StatRow } from './stats-columns.js';

/** A request id chosen by the client; echoed in the response. */
export type RequestId = string | number;

/** `{backend, server}`: the server a command acts on. */
export interface ServerRef {
  backend: string;
  server: string;
}

/** The `args` of each command, as the schema in `commands.ts` allows them. */
export interface CommandArgs {
  hello: { client?: string; protocol?: number };
  schema: Record<string, never>;
  help: Record<string, never>;
  'show-info': Record<string, never>;
  'show-stat': { proxy?: string | number; type?: number; server?: number; filter?: 'up' | 'no-maint' };
  'show-servers-state': { backend?: string };
  'show-backends': Record<string, never>;
  'show-sessions': Record<string, never>;
  'show-ports': Record<string, never>;
  'get-weight': ServerRef;
  'set-weight': ServerRef & { weight: number | `${number}%` };
  'set-state': ServerRef & { state: 'ready' | 'drain' | 'maint' };
  'set-health': ServerRef & { health: 'up' | 'stopping' | 'down' };
  'set-agent': ServerRef & { agent: 'up' | 'down' };
  'set-addr': ServerRef & { addr: string; port?: number };
  'enable-server': ServerRef;
  'disable-server': ServerRef;
  'enable-health': ServerRef;
  'disable-health': ServerRef;
  'enable-agent': ServerRef;
  'disable-agent': ServerRef;
  'shutdown-sessions': ServerRef;
  reload: Record<string, never>;
  subscribe: { topics: Topic[]; intervalMs?: number };
  unsubscribe: { subscription: number };
  'lower-level': { level: 'user' | 'operator' };
  'set-timeout': { seconds: number };
}

/** A request: `{id, cmd, args}` (args may be omitted when a command takes none). */
export type Request = {
  [C in CommandName]: { id: RequestId; cmd: C; args?: CommandArgs[C] };
}[CommandName];

/** The limits of a connection, as `hello` reports them. */
export interface ConnectionLimits {
  /** Longest JSON line accepted, in bytes. */
  maxLineBytes: number;
  /** Clients per socket or WebSocket listener. */
  maxClients: number;
  /** Subscriptions per connection. */
  maxSubscriptions: number;
  /** Output waiting for a slow reader before it is dropped, in bytes. */
  maxBufferedBytes: number;
  /** Idle timeout without subscriptions, in ms. */
  idleTimeoutMs: number;
}

/** `hello`'s answer. */
export interface HelloResult {
  protocol: number;
  daemon: { name: 'lbd'; version: string; pid: number };
  level: AccessLevel;
  transport: 'unix' | 'ws';
  commands: CommandName[];
  topics: Topic[];
  capabilities: string[];
  limits: ConnectionLimits;
}

/** One server's state, as `show-servers-state` and the console see it. */
export interface ServerState {
  backend: string;
  backendId: number;
  server: string;
  id: number;
  address: string;
  port: number;
  admin: 'ready' | 'drain' | 'maint';
  health: 'up' | 'down';
  /** HAProxy's status word (`UP`, `DOWN`, `MAINT`, `DRAIN`, `no check`...). */
  status: string;
  weight: number;
  initialWeight: number;
  backup: boolean;
  /** Sessions on the server now. */
  sessions: number;
  /** Seconds since the last admin or health change. */
  lastChangeSec: number;
  check: {
    configured: boolean;
    enabled: boolean;
    status: string;
    health: number;
    rise: number;
    fall: number;
  };
  agent: { configured: boolean; enabled: boolean };
}

/** One live session, as `show-sessions` lists them. */
export interface SessionInfo {
  id: string;
  proto: string;
  source: string;
  frontend: string;
  backend: string;
  server: string;
  ageSec: number;
}

/** A stats snapshot: `show info` fields and `show stat` rows (non-empty cells only). */
export interface StatsSnapshot {
  time: number;
  info: Record<string, string | number>;
  rows: StatRow[];
}

/**
 * What `reload` did. A configuration with errors is not an API error: the
 * command ran, lbd refused the files and kept the running configuration.
 */
export interface ReloadResult {
  /** True when the new configuration now runs; false when it was refused. */
  applied: boolean;
  /** The files read, in order. */
  files: string[];
  /** What changed, one line (when applied). */
  summary?: string;
  /** `FILE:LINE: message` of each error (when refused). */
  errors?: string[];
  durationMs: number;
}

/** The `data` of each command's successful response. */
export interface CommandResults {
  hello: HelloResult;
  schema: JsonSchema;
  help: { commands: { cmd: CommandName; level: AccessLevel; summary: string }[] };
  'show-info': { info: Record<string, string | number> };
  'show-stat': { rows: StatRow[] };
  'show-servers-state': { servers: ServerState[] };
  'show-backends': { backends: string[] };
  'show-sessions': { sessions: SessionInfo[] };
  'show-ports': PortsReport;
  'get-weight': { weight: number; initialWeight: number };
  'set-weight': { weight: number };
  'set-state': ServerState;
  'set-health': ServerState;
  'set-agent': ServerState;
  'set-addr': { message: string; address: string; port: number };
  'enable-server': ServerState;
  'disable-server': ServerState;
  'enable-health': ServerState;
  'disable-health': ServerState;
  'enable-agent': ServerState;
  'disable-agent': ServerState;
  'shutdown-sessions': { killed: number };
  reload: ReloadResult;
  subscribe: { subscription: number; topics: Topic[]; intervalMs: number };
  unsubscribe: { subscription: number };
  'lower-level': { level: AccessLevel };
  'set-timeout': { seconds: number };
}

/** The error part of a failed response. */
export interface ErrorBody {
  code: ApiErrorCode;
  message: string;
  data?: Record<string, unknown>;
}

/** A successful response. */
export interface OkResponse<C extends CommandName = CommandName> {
  id: RequestId;
  ok: true;
  data: CommandResults[C];
}

/** A failed response; `id` is null when the request's id could not be read. */
export interface ErrorResponse {
  id: RequestId | null;
  ok: false;
  error: ErrorBody;
}

/** A response to a request. */
export type Response = OkResponse | ErrorResponse;

/** A message streamed by a subscription. */
export type Push =
  | { subscription: number; topic: 'stats'; data: StatsSnapshot }
  | { subscription: number; topic: LbEvent['topic']; data: LbEvent }
  | { subscription: number; topic: 'ports-report'; data: PortsReportEvent };

/** Anything the daemon sends. */
export type ServerMessage = Response | Push;
