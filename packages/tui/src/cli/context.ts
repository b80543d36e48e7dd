import { type ClientTarget, hasErrorCode, type LbClient, LbError } from '@lbctl/protocol';
import type { Command } from 'commander';
import { DEFAULT_CONNECT_TIMEOUT_MS, describeTarget, resolveTargets } from '../connection/index.js';
import { InterruptedError, PermissionDeniedError } from '../errors.js';
import { type Palette, palette, wantColour } from './colour.js';
import type { CliDeps, OutputStream } from './deps.js';
import { parseDuration } from './duration.js';

/** Options every verb accepts (declared on the program, read with `optsWithGlobals`). */
export interface GlobalOptions {
  socket?: string[];
  url?: string[];
  tokenFile?: string;
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  connectTimeout?: string;
}

/**
 * What a verb's action works with: the parsed global options, the output
 * streams (data on stdout, diagnostics on stderr), colour, and connections to
 * the targeted daemons.
 */
export class VerbContext {
  readonly opts: GlobalOptions;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Colours for stdout. */
  readonly colour: Palette;

  constructor(
    readonly deps: CliDeps,
    command: Command,
  ) {
    this.opts = command.optsWithGlobals<GlobalOptions>();
    this.stdout = deps.stdout;
    this.stderr = deps.stderr;
    this.colour = palette(!this.json && wantColour(deps.stdout, deps.env, this.opts.color));
  }

  get json(): boolean {
    return this.opts.json === true;
  }

  get quiet(): boolean {
    return this.opts.quiet === true;
  }

  /** Writes data (stdout). */
  out(text: string): void {
    this.stdout.write(text);
  }

  /** Writes a diagnostic line (stderr), unless `--quiet`. */
  info(text: string): void {
    if (!this.quiet) this.stderr.write(`${text}\n`);
  }

  /** Prints one value as a line of JSON: the stable `--json` format. */
  outJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** The targets of this run: `--socket`, `--url`, `LBCTL_SOCKET` or the default socket. */
  targets(): ClientTarget[] {
    return resolveTargets({
      socket: this.opts.socket,
      url: this.opts.url,
      tokenFile: this.opts.tokenFile,
      env: this.deps.env,
    });
  }

  /** How long to wait for a daemon to answer `hello`. */
  connectTimeoutMs(): number {
    const text = this.opts.connectTimeout;
    return text === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : parseDuration(text, '--connect-timeout');
  }

  /** Connects to a target (connect + hello). */
  open(target: ClientTarget): Promise<LbClient> {
    return this.deps.connect(target, { timeoutMs: this.connectTimeoutMs() });
  }

  /**
   * Runs `fn` with a client for each target in turn, closing each one after.
   * With several targets, a failure on one does not stop the others: the
   * first error is rethrown at the end so that the exit code still tells.
   */
  async eachClient(
    fn: (client: LbClient, target: ClientTarget, many: boolean) => Promise<void>,
  ): Promise<void> {
    const targets = this.targets();
    const many = targets.length > 1;
    let first: unknown;
    for (const target of targets) {
      try {
        const client = await this.open(target);
        try {
          await fn(client, target, many);
        } catch (err) {
          throw explainRefusal(err, target);
        } finally {
          client.close();
        }
      } catch (err) {
        if (!many) throw err;
        if (hasErrorCode(err, 'LB_ERR_INTERRUPTED')) throw err;
        this.stderr.write(`lbctl: ${describeTarget(target)}: ${(err as Error).message}\n`);
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }

  /**
   * A promise that rejects with {@link InterruptedError} on SIGINT, and a
   * function to stop listening. Long waits race against it so that Ctrl-C
   * exits 130 after the connection is closed, not in the middle of a write.
   */
  interrupted(): { promise: Promise<never>; dispose(): void } {
    let dispose = () => {};
    const promise = new Promise<never>((_, reject) => {
      const on = this.deps.onInterrupt;
      if (on === undefined) return;
      dispose = on(() => reject(new InterruptedError()));
    });
    // Never an unhandled rejection when the caller has finished racing it.
    promise.catch(() => {});
    return { promise, dispose: () => dispose() };
  }
}

/**
 * The daemon's refusal says only "Permission denied"; say where, and what
 * would be allowed, so the one line on stderr is enough to act on.
 */
function explainRefusal(err: unknown, target: ClientTarget): unknown {
  if (!hasErrorCode(err, 'LB_ERR_PERMISSION_DENIED') || err instanceof PermissionDeniedError) return err;
  return new PermissionDeniedError(
    `lbd at ${describeTarget(target)} refused: ${(err as Error).message} (this verb needs a socket with level admin)`,
    { cause: err },
  );
}

/** Prefixes an error's message with the server it concerns, keeping its code (and so its exit code). */
export function withServer(err: unknown, name: { backend: string; server: string }): unknown {
  if (!(err instanceof LbError) || hasErrorCode(err, 'LB_ERR_PERMISSION_DENIED')) return err;
  return new LbError(err.code, `${name.backend}/${name.server}: ${err.message}`, { cause: err });
}
