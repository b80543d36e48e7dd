export { type ClientOptions, type ClientTarget, LbClient } from './client.js';
export {
  COMMAND_NAMES,
  COMMANDS,
  type CommandName,
  type CommandSpec,
  isCommandName,
  type JsonSchema,
  STATS_INTERVAL_MS,
  TOPICS,
  type Topic,
} from './commands.js';
export {
  API_ERROR_CODES,
  ApiError,
  type ApiErrorCode,
  type ApiErrorOptions,
  hasErrorCode,
  isApiErrorCode,
  LbError,
} from './errors.js';
export {
  type ActionSource,
  type AdminActionEvent,
  type CheckEvent,
  EVENT_SCHEMAS,
  EVENT_TOPICS,
  type EventTopic,
  type LbEvent,
  type PortPressureEvent,
  type PortsReportEvent,
  type ReloadEvent,
  type ServerStateEvent,
  type StreamedEvent,
  type StreamedTopic,
  type WorkerLifeEvent,
} from './events.js';
export { ACCESS_LEVELS, type AccessLevel, levelAllows, lowerLevel } from './levels.js';
export type {
  CommandArgs,
  CommandResults,
  ConnectionLimits,
  ErrorBody,
  ErrorResponse,
  HelloResult,
  OkResponse,
  Push,
  ReloadResult,
  Request,
  RequestId,
  Response,
  ServerMessage,
  ServerRef,
  ServerState,
  SessionInfo,
  StatsSnapshot,
} from './messages.js';
export {
  DEFAULT_MAX_LINE_BYTES,
  type DecodedLine,
  encodeLine,
  NdjsonDecoder,
  parseJsonLine,
} from './ndjson.js';
export type {
  PortMode,
  PortSpan,
  PortsPairReport,
  PortsReport,
  PortsServerReport,
  PortsSourceReport,
  PortsTableReader,
  PressureLevel,
  TcpStateCounts,
  TcpStateName,
} from './ports.js';
export { TCP_STATES } from './ports.js';
export { PORTS_REPORT_SCHEMA } from './ports-schema.js';
export { PROTOCOL_SCHEMA, REQUEST_SCHEMA } from './schema.js';
export { HAPROXY_STAT_COLUMNS, type StatColumn, type StatRow } from './stats-columns.js';
export { type SchemaViolation, SUPPORTED_SCHEMA_KEYWORDS, validateSchema } from './validate.js';
export { PRODUCT_VERSION, PROTOCOL_VERSION } from './version.js';
