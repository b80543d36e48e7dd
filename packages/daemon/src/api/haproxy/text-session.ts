import type { Socket } from 'node:net';
import { type ApiError, isApiErrorCode } from '@lbctl/protocol';
import { WEIGHT_GARBAGE_MESSAGES } from '../commands/weight.js';
import type { ApiContext, Caller } from '../context.js';
import { drainedOrClosed } from '../drain.js';
import { unknownCommandReply } from './help.js';
import { splitCommands } from './line-parser.js';
import { findTextCommand, HELP_ENTRIES, runTextCommand, type TextSessionControl } from './text-commands.js';

/** HAProxy's reply body for a failed command: the message and its newline, except for its two weight quirks. */
export function errorBody(error: ApiError): string {
  return WEIGHT_GARBAGE_MESSAGES.has(error.message) ? error.message : `${error.message}\n`;
}

/**
 * One connection speaking HAProxy's text dialect. As HAProxy 2.6: lines end
 * in LF (a CR before it is dropped); `;` chains commands; each command's
 * reply is followed by a blank line, or by `\n> ` in prompt mode. Without
 * prompt mode the connection closes once the complete lines received so far
 * have run and no partial line waits; `prompt` keeps it open, `quit` closes it
 * at once. A line of 16,383 bytes or more closes the connection without
 * output. All replies to one input line leave in one write, since hatop
 * stops reading at the first prompt it sees.
 */
export class TextSession implements TextSessionControl {
  private buffer: Buffer = Buffer.alloc(0);
  private prompt = false;
  private busy = false;
  private peerEnded = false;
  private done = false;

  constructor(
    private readonly ctx: ApiContext,
    private readonly socket: Socket,
    readonly caller: Caller,
  ) {}

  /** Starts with the bytes already read (the first one chose this dialect). */
  start(initial: Buffer): void {
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => {
      this.peerEnded = true;
      this.runPump();
    });
    this.onData(initial);
  }

  setIdleTimeout(ms: number): void {
    this.socket.setTimeout(ms);
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    // A partial line that can no longer fit (LF included) is cut off as HAProxy does:
    // no output, connection closed. Whole lines are checked as they run.
    const partial = this.buffer.length - (this.buffer.lastIndexOf(0x0a) + 1);
    if (partial + 1 > this.ctx.limits.textLineBytes) {
      this.abort();
      return;
    }
    this.runPump();
  }

  private abort(): void {
    this.done = true;
    this.socket.destroy();
  }

  private finish(reply: string): void {
    this.done = true;
    this.socket.end(reply);
  }

  private terminator(): string {
    return this.prompt ? '\n> ' : '\n';
  }

  /** Runs the queue; an unexpected failure ends this connection, never the daemon. */
  private runPump(): void {
    this.pump().catch((error: unknown) => {
      this.ctx.log.error({ err: error }, 'runtime API connection failed');
      this.abort();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy || this.done) return;
    this.busy = true;
    // Not reading while a line runs keeps input from piling up in memory: the peer waits in its own buffers.
    this.socket.pause();
    try {
      for (;;) {
        const newline = this.buffer.indexOf(0x0a);
        if (newline < 0) break;
        if (newline + 1 > this.ctx.limits.textLineBytes) {
          this.abort();
          return;
        }
        let line = this.buffer.subarray(0, newline).toString('utf8');
        this.buffer = this.buffer.subarray(newline + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        const { reply, close } = await this.runLine(line);
        if (this.done || this.socket.destroyed) return;
        if (close || (!this.prompt && this.buffer.length === 0)) {
          this.finish(reply);
          return;
        }
        if (!this.socket.write(reply) && this.socket.writableLength > this.ctx.limits.maxBufferedBytes) {
          await drainedOrClosed(this.socket);
        }
      }
      // The peer half-closed: a partial line is never run, so nothing more will come.
      if (this.peerEnded) this.finish('');
    } finally {
      this.busy = false;
      if (!this.done) this.socket.resume();
    }
  }

  private async runLine(line: string): Promise<{ reply: string; close: boolean }> {
    let reply = '';
    for (const words of splitCommands(line)) {
      if (words.length === 1 && words[0] === 'quit') return { reply, close: true };
      if (words.length === 1 && words[0] === 'prompt') {
        this.prompt = !this.prompt;
        reply += this.terminator();
        continue;
      }
      reply += (await this.runCommand(words)) + this.terminator();
    }
    return { reply, close: false };
  }

  private async runCommand(words: string[]): Promise<string> {
    const found = findTextCommand(words);
    if (found === undefined) return unknownCommandReply(HELP_ENTRIES, words);
    try {
      return await runTextCommand(this.ctx, this, found.command, found.args);
    } catch (error) {
      if (isApiErrorCode((error as { code?: unknown }).code)) return errorBody(error as ApiError);
      this.ctx.log.error({ err: error, command: words.join(' ') }, 'runtime API command failed');
      return 'Internal error.\n';
    }
  }
}
