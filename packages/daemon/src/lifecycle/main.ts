import { PRODUCT_VERSION } from '@lbctl/protocol';
import { Command, CommanderError } from 'commander';
import { formatConfigError } from '../config/index.js';
import { Daemon } from './daemon.js';
import { loadDaemonConfig } from './load-config.js';
import { createLogger } from './logger.js';

interface Options {
  config: string[];
  check: boolean;
  logLevel: string;
}

/** Builds lbd's command line; HAProxy's `-f` and `-c` keep their meaning. */
export function createProgram(): Command {
  return new Command('lbd')
    .description('TCP load balancer daemon running HAProxy configuration files (TCP subset)')
    .version(PRODUCT_VERSION, '-v, --version')
    .requiredOption('-f, --config <file>', 'configuration file; repeat to read several in order', collect, [])
    .option('-c, --check', 'check the configuration and exit 0 (valid) or 1 (errors), as haproxy -c', false)
    .option('--log-level <level>', 'pino log level (trace, debug, info, warn, error)', 'info')
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
  const log = createLogger(options.logLevel);
  const daemon = new Daemon(result.config, log);
  try {
    await daemon.start();
  } catch (error) {
    log.fatal({ err: error, component: 'lifecycle' }, 'failed to start');
    return 1;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ component: 'lifecycle', signal }, 'stop requested');
    daemon.stop().then(
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
  return undefined;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
