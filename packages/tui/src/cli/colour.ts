import type { OutputStream } from './deps.js';

/** The ANSI styles lbctl uses; each is a no-op when colour is off. */
export interface Palette {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const COLOURS: Palette = {
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  blue: sgr(34, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

const identity = (text: string) => text;
const PLAIN: Palette = {
  red: identity,
  green: identity,
  yellow: identity,
  blue: identity,
  dim: identity,
  bold: identity,
};

/**
 * Colour only on a terminal, and never when `NO_COLOR` is set to anything
 * non-empty (no-color.org) or `--no-color` was given: piped output must stay
 * byte-stable for scripts.
 */
export function wantColour(stream: OutputStream, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** The palette for a colour decision. */
export function palette(colour: boolean): Palette {
  return colour ? COLOURS : PLAIN;
}

/** Removes ANSI escapes, to measure what a terminal shows. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Colours a HAProxy status word by what it means for traffic. */
export function colourStatus(p: Palette, status: string): string {
  if (status.startsWith('UP') || status === 'OPEN' || status === 'no check') return p.green(status);
  if (status.startsWith('DOWN') || status === 'STOP') return p.red(status);
  if (status.startsWith('MAINT')) return p.blue(status);
  return p.yellow(status);
}
