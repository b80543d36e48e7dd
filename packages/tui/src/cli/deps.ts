import type { openClient } from '../connection/index.js';

/** Where the program writes: `process.stdout`/`stderr`, or a buffer in tests. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True on a terminal: tables, colour, live counters. */
  isTTY?: boolean | undefined;
  /** Terminal width, when known. */
  columns?: number | undefined;
}

/** A text-dialect (HAProxy) exchange: send one command line, get the daemon's whole reply. */
export type RawSender = (socketPath: string, command: string, timeoutMs: number) => Promise<string>;

/**
 * Everything the lbctl program touches outside itself, injected so that tests
 * run it in-process. There is deliberately no `exit`: the program returns an
 * exit code and only `bin/lbctl.js` calls `process.exit`.
 */
export interface CliDeps {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Epoch ms; injected so that durations and `--watch` are testable. */
  now(): number;
  /** Opens a JSON-protocol client (connect + hello). */
  connect: typeof openClient;
  /** Sends a HAProxy text command (`lbctl raw`). */
  sendRaw?: RawSender;
  /**
   * Registers a handler for the user's interrupt (SIGINT); returns a function
   * that removes it. Waits and streams use it to stop cleanly and exit 130.
   * @default process.once('SIGINT')
   */
  onInterrupt?(handler: () => void): () => void;
  exit?: never;
}
