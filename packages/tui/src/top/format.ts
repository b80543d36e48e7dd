/**
 * Number and time formatting for narrow columns: every figure fits in five
 * or six cells so the 80-column layout keeps its columns.
 */

/** Glyphs for bars and sparklines; ASCII where the terminal's locale is not UTF-8. */
export interface Glyphs {
  /** Sparkline levels, lowest first. */
  readonly spark: readonly string[];
  /** Bar: full cell, empty cell. */
  readonly barFull: string;
  readonly barEmpty: string;
  readonly arrow: string;
  readonly ellipsis: string;
  /** Marks of up, down and out-of-rotation counts in the header. */
  readonly up: string;
  readonly down: string;
  readonly out: string;
  /** A transition toward UP, toward DOWN. */
  readonly rising: string;
  readonly falling: string;
  /** A daemon connected, not connected. */
  readonly linkUp: string;
  readonly linkDown: string;
}

/** Block elements, which tmux and every UTF-8 terminal draw. */
export const UNICODE_GLYPHS: Glyphs = {
  spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  barFull: '█',
  barEmpty: '░',
  arrow: '→',
  ellipsis: '…',
  up: '▲',
  down: '▼',
  out: '◆',
  rising: '↑',
  falling: '↓',
  linkUp: '●',
  linkDown: '○',
};

/** For a terminal (or an ssh session) whose locale is not UTF-8. */
export const ASCII_GLYPHS: Glyphs = {
  spark: ['_', '.', '-', '~', '=', '*', '^', '#'],
  barFull: '#',
  barEmpty: '.',
  arrow: '>',
  ellipsis: '~',
  up: '+',
  down: '-',
  out: '*',
  rising: '^',
  falling: 'v',
  linkUp: '*',
  linkDown: 'o',
};

/** Picks the glyphs from the locale, as terminal programs do (LC_ALL, then LC_CTYPE, then LANG). */
export function glyphsFor(env: NodeJS.ProcessEnv): Glyphs {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale) ? UNICODE_GLYPHS : ASCII_GLYPHS;
}

/** `45s`, `5m03s`, `2h03m`, `3d04h`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

const UNITS = ['', 'K', 'M', 'G', 'T'];

/** A count or rate in at most five cells: `999`, `1.2K`, `34M` (powers of 1000 for counts, 1024 for bytes). */
export function formatQuantity(value: number | undefined, base: 1000 | 1024 = 1000): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  let v = Math.max(0, value);
  if (v < base) return v < 10 && v % 1 !== 0 ? v.toFixed(1) : String(Math.round(v));
  let unit = 0;
  while (v >= base && unit < UNITS.length - 1) {
    v /= base;
    unit++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${UNITS[unit]}`;
}

/** Bytes per second, binary units. */
export function formatBytesRate(value: number | undefined): string {
  return formatQuantity(value, 1024);
}

/** A share as a percentage without decimals, `-` when unknown. */
export function formatPercent(share: number | undefined): string {
  return share === undefined || !Number.isFinite(share) ? '-' : `${Math.round(share * 100)}%`;
}

/** A bar of `width` cells filled to `value / max`. */
export function bar(value: number, max: number, width: number, glyphs: Glyphs): string {
  if (width <= 0) return '';
  const filled = max <= 0 ? 0 : Math.min(width, Math.round((value / max) * width));
  // A non-zero value always shows one cell, so a server with one session never looks idle.
  const cells = value > 0 && filled === 0 ? 1 : filled;
  return glyphs.barFull.repeat(cells) + glyphs.barEmpty.repeat(width - cells);
}

/** The last `width` samples as a sparkline scaled to their own maximum; blank cells pad a short history. */
export function sparkline(values: readonly number[], width: number, glyphs: Glyphs): string {
  if (width <= 0) return '';
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  const levels = glyphs.spark.length;
  const cells = tail.map((v) =>
    max <= 0
      ? glyphs.spark[0]
      : glyphs.spark[Math.min(levels - 1, Math.floor((v / max) * (levels - 1) + 0.5))],
  );
  return ' '.repeat(width - tail.length) + cells.join('');
}

/** A clock time `HH:MM:SS` in the local zone, for the events view. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
