import { PRODUCT_VERSION } from '@lbctl/protocol';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { formatConfigError } from '../config/index.js';
import { Daemon } from './daemon.js';
import { loadDaemonConfig } from './load-config.js';
import { createLogger } from './logger.js';
import { SdNotifier } from './sd-notify.js';
import { statusLine } from './status-line.js';

interface Options {
  config: string[];
  check: boolean;
  logLevel: string;
  statusInterval: number;
  nbthread?: number;
}

/** How often lbd refreshes its systemd STATUS= line. */
const DEFAULT_STATUS_INTERVAL_MS = 10_000;

/** Builds lbd's command line; HAProxy's `-f` and `-c` keep their meaning. */
export function createProgram(): Command {
  return new Command('lbd')
    .description('TCP load balancer daemon running HAProxy configuration files (TCP subset)')
    .version(PRODUCT_VERSION, '-v, --version')
    .requiredOption('-f, --config <file>', 'configuration file; repeat to read several in order', collect, [])
    .option('-c, --check', 'check the configuration and exit 0 (valid) or 1 (errors), as haproxy -c', false)
    .option(
      '--nbthread <n>',
      "data-plane worker processes; overrides the configuration's 'nbthread' (1 runs everything in one process)",
      parsePositiveInt,
    )
    .option('--log-level <level>', 'pino log level (trace, debug, info, warn, error)', 'info')
    .option(
      '--status-interval <ms>',
      'how often the systemd STATUS= line is refreshed, in ms (only under systemd, Type=notify)',
      parsePositiveInt,
      DEFAULT_STATUS_INTERVAL_MS,
    )
    .exitOverride()
    .addHelpText(
      'after',
      '\nExamples:\n  lbd -f /etc/haproxy/haproxy.cfg\n  lbd -c -f /etc/haproxy/haproxy.cfg',
    );
}

/**
 * Entry point: returns an exit code for one-shot modes, or undefined while
 * the daemon runs (it exits from its signal handlers).
 */
export async function main(argv: string[]): Promise<number | undefined> {
  const program = createProgram();
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const options = program.opts<Options>();
  const result = await loadDaemonConfig(options.config);
  if (!result.ok) {
    for (const error of result.errors) process.stderr.write(`${formatConfigError(error)}\n`);
    process.stderr.write(`lbd: ${result.errors.length} error(s) in the configuration; nothing started.\n`);
    return 1;
  }
  if (options.check) {
    for (const notice of result.config.notices) {
      process.stderr.write(`${notice.where.file}:${notice.where.line}: notice: ${notice.message}\n`);
    }
    process.stdout.write('Configuration file is valid\n');
    return 0;
  }
  if (options.nbthread !== undefined) result.config.global.nbthread = options.nbthread;
  const log = createLogger(options.logLevel);
  const notifier = new SdNotifier({ log });
  const daemon = new Daemon(result.config, log, { configPaths: options.config, notifier });
  // Handlers go in before start: a SIGTERM that follows "lbd ready" at once
  // must find them, not Node's default (which would exit without cleanup).
  const starting = daemon.start();
  let started = false;
  const status = () => statusLine(daemon.model, daemon.dataPlane);
  // Only under systemd: without NOTIFY_SOCKET there is nobody to show the line to.
  const statusTimer = notifier.enabled
    ? setInterval(() => void notifier.status(status()), options.statusInterval).unref()
    : undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(statusTimer);
    log.info({ component: 'lifecycle', signal }, 'stop requested');
    starting
      .catch(() => undefined)
      .then(() => notifier.stopping())
      .then(() => daemon.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error, component: 'lifecycle' }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGUSR1', () => stop('SIGUSR1'));
  // HAProxy's reload signal; the reload never throws, its outcome is logged and published.
  process.on('SIGHUP', () => {
    if (started && !stopping) void daemon.reload('SIGHUP');
  });
  try {
    await starting;
  } catch (error) {
    log.fatal({ err: error, component: 'lifecycle' }, 'failed to start');
    return 1;
  }
  started = true;
  // After the handlers: a SIGHUP sent on READY=1 must find its handler. The
  // notifier's queue keeps READY=1 ahead of anything a signal sends next.
  void notifier.ready(status());
  return undefined;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
