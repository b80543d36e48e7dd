import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tmux } from '../api/external-tools.js';

const run = promisify(execFile);

/** lbctl's entry, found from this file so the tier runs from any checkout. */
export const LBCTL_ENTRY = fileURLToPath(new URL('../../packages/tui/bin/lbctl.js', import.meta.url));

/**
 * Where captured frames are kept after the run, for the record (they are the
 * acceptance evidence): `LBCTL_TOP_FRAMES` or `$TMPDIR/lbctl-top-frames`.
 */
export const FRAMES_DIR =
  process.env.LBCTL_TOP_FRAMES ?? join(process.env.TMPDIR ?? '/tmp', 'lbctl-top-frames');

/** Runs `lbctl ARGS` to completion and returns its exit code and output. */
export async function lbctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [LBCTL_ENTRY, ...args], { timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A tmux pane running one command on a private tmux server, driven by keys and read by capture-pane. */
export class Pane {
  constructor(
    readonly server: string,
    readonly target: string,
  ) {}

  /** Starts `command` in a new detached session of `columns` x `rows`. */
  static async start(
    server: string,
    name: string,
    columns: number,
    rows: number,
    command: string,
  ): Promise<Pane> {
    await tmux(server, 'new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), command);
    return new Pane(server, name);
  }

  /** The screen as text, one string per row (capture-pane drops trailing blanks). */
  async screen(): Promise<string[]> {
    const text = await tmux(this.server, 'capture-pane', '-p', '-t', this.target);
    return text.replace(/\n$/, '').split('\n');
  }

  /** The screen with its colours (SGR escapes), for the record. */
  async coloured(): Promise<string> {
    return tmux(this.server, 'capture-pane', '-p', '-e', '-t', this.target);
  }

  async keys(...keys: string[]): Promise<void> {
    await tmux(this.server, 'send-keys', '-t', this.target, ...keys);
  }

  async resize(columns: number, rows: number): Promise<void> {
    await tmux(this.server, 'resize-window', '-t', this.target, '-x', String(columns), '-y', String(rows));
  }

  /**
   * Polls the screen every `everyMs` until `predicate` holds; resolves with
   * that screen and when it was first seen. Throws with the last screen
   * after `timeoutMs`.
   */
  async waitFor(
    predicate: (lines: string[]) => boolean,
    what: string,
    timeoutMs = 10_000,
    everyMs = 50,
  ): Promise<{ lines: string[]; at: number }> {
    const deadline = Date.now() + timeoutMs;
    let lines = await this.screen();
    while (!predicate(lines)) {
      if (Date.now() > deadline)
        throw new Error(`the screen never showed ${what}; it shows:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, everyMs));
      lines = await this.screen();
    }
    return { lines, at: Date.now() };
  }

  /** Saves the current screen (text and coloured) as `NAME.txt` / `NAME.ansi` in {@link FRAMES_DIR}. */
  async save(name: string): Promise<string[]> {
    const lines = await this.screen();
    await mkdir(FRAMES_DIR, { recursive: true });
    await writeFile(join(FRAMES_DIR, `${name}.txt`), `${lines.join('\n')}\n`);
    await writeFile(join(FRAMES_DIR, `${name}.ansi`), await this.coloured());
    return lines;
  }
}

/** The row of `server` under the heading of `backend` (the servers view groups rows by backend). */
export function rowOf(lines: readonly string[], backend: string, server: string): string | undefined {
  const heading = lines.findIndex((l) => l.startsWith(`${backend} `));
  if (heading < 0) return undefined;
  for (const line of lines.slice(heading + 1)) {
    if (/^\S+ +\d+ up/.test(line)) return undefined;
    if (line.startsWith(`${server} `)) return line;
  }
  return undefined;
}

/**
 * What a frame of `columns` x `rows` must look like when nothing is broken:
 * exactly the pane's height, no line wider than the pane, the daemon's
 * header first, the column heading once (the servers view's unless
 * `heading` says another), the keys on the last line.
 */
export function layoutProblems(
  lines: readonly string[],
  columns: number,
  rows: number,
  heading: RegExp = /^(node +)?server +state/,
): string[] {
  const problems: string[] = [];
  // capture-pane omits trailing empty rows only at the end; the footer is never empty.
  if (lines.length !== rows) problems.push(`${lines.length} lines, not ${rows}`);
  lines.forEach((l, i) => {
    if ([...l].length > columns) problems.push(`line ${i + 1} is ${[...l].length} wide: ${l}`);
  });
  if (!/^[●○*o] /.test(lines[0] ?? '')) problems.push(`the first line is not the header: ${lines[0]}`);
  if (lines.filter((l) => heading.test(l)).length !== 1)
    problems.push('the column heading is not there once');
  if (!(lines.at(-1) ?? '').startsWith('? help q quit'))
    problems.push(`the last line is not the keys: ${lines.at(-1)}`);
  return problems;
}
