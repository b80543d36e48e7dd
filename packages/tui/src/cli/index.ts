export type { CliDeps, OutputStream, RawSender } from './deps.js';
export { EXIT, EXIT_CODES_HELP, type ExitCode, exitCodeFor } from './exit-codes.js';
export { createProgram, runCli } from './program.js';
export { sendRawCommand } from './raw-sender.js';
export type { StatusReport } from './status/model.js';
export { STATUS_SCHEMA } from './status/schema.js';
