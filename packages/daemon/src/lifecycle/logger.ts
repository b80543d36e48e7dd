import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** The daemon's logger: pino NDJSON on stdout, for the journal or any collector. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    formatters: { level: (label, number) => ({ level: number, severity: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
