export {
  type CliDeps,
  createProgram,
  EXIT,
  EXIT_CODES_HELP,
  type ExitCode,
  exitCodeFor,
  type OutputStream,
  type RawSender,
  runCli,
  STATUS_SCHEMA,
  type StatusReport,
  sendRawCommand,
} from './cli/index.js';
export {
  type ClientTarget,
  DEFAULT_SOCKET,
  describeTarget,
  openClient,
  resolveServers,
  resolveTargets,
} from './connection/index.js';
export {
  AmbiguousServerError,
  CheckFailedError,
  DaemonUnreachableError,
  InterruptedError,
  LBCTL_ERROR_CODES,
  NoSuchServerError,
  NotAvailableError,
  PermissionDeniedError,
  UsageError,
  WaitTimeoutError,
} from './errors.js';
