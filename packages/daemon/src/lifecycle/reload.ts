import type { LbEvent, ReloadResult } from '@lbctl/protocol';
import type { Logger } from 'pino';
import { formatConfigError } from '../config/index.js';
import type { Config } from '../config/types.js';
import { loadDaemonConfig } from './load-config.js';
import type { SdNotifier } from './sd-notify.js';

/** What a reload did, as the runtime API returns it and `lbctl reload` prints it. */
export type ReloadOutcome = ReloadResult;

/** Options of {@link Reloader}. */
export interface ReloaderOptions {
  /** The files lbd was started with (`-f`), re-read on every reload. */
  paths: readonly string[];
  /** Applies a checked configuration; resolves with a one-line summary of what changed. */
  apply(config: Config): Promise<string>;
  /** Receives the `reload` events (started, done, failed). */
  publish(event: LbEvent): void;
  notifier: SdNotifier;
  /** The STATUS= line sent with READY=1 once the reload is over. */
  status(): string;
  log: Logger;
}

/**
 * Reloads run one at a time, whoever asks (SIGHUP, the runtime API): a
 * second request made while one runs waits for it and then re-reads the
 * files, so the last edit always wins and no two reloads interleave.
 */
export class Reloader {
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReloaderOptions) {}

  /** Re-reads, checks and, when valid, applies the configuration. Never throws. */
  reload(trigger: string): Promise<ReloadOutcome> {
    const next = this.running.then(() => this.run(trigger));
    this.running = next;
    return next;
  }

  private async run(trigger: string): Promise<ReloadOutcome> {
    const { notifier, log, publish } = this.options;
    const files = [...this.options.paths];
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    await notifier.reloading();
    publish({
      topic: 'reload',
      time: Date.now(),
      phase: 'started',
      detail: `${trigger}: ${files.join(' ')}`,
    });
    log.info({ trigger, files }, 'reload started');
    let outcome: ReloadOutcome;
    try {
      const result = await loadDaemonConfig(files);
      if (!result.ok) {
        const errors = result.errors.map((error) => formatConfigError(error));
        outcome = { applied: false, files, errors, durationMs: elapsed() };
      } else {
        const summary = await this.options.apply(result.config);
        outcome = { applied: true, files, summary, durationMs: elapsed() };
      }
    } catch (err) {
      // A failure while applying (e.g. a new bind already in use) is reported like a bad file.
      const message = err instanceof Error ? err.message : String(err);
      outcome = { applied: false, files, errors: [message], durationMs: elapsed() };
    }
    if (outcome.applied) {
      log.info({ trigger, summary: outcome.summary, durationMs: outcome.durationMs }, 'reload done');
      publish({ topic: 'reload', time: Date.now(), phase: 'done', detail: outcome.summary });
    } else {
      const errors = outcome.errors ?? [];
      log.error({ trigger, errors }, 'reload refused; the previous configuration keeps running');
      publish({ topic: 'reload', time: Date.now(), phase: 'failed', detail: errors.join('\n') });
    }
    // READY=1 either way: systemd leaves the "reloading" state, and lbd does serve.
    await notifier.ready(this.options.status());
    return outcome;
  }
}
