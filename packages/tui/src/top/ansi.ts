import type { Colour, Segment } from './columns.js';

/** SGR foreground codes of the colours the dashboard uses. */
const FG: Readonly<Record<Colour, number>> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
};

const ESC = '\u001b[';

/** How a whole line is drawn. */
export interface LineStyle {
  /** Colours on (off for NO_COLOR, --no-color, a pipe); bold, dim, inverse and underline stay. */
  readonly colour: boolean;
  /** The selected row: the whole line inverted. */
  readonly selected?: boolean;
  /** A stale row: the whole line dim, its own styles dropped. */
  readonly dim?: boolean;
  /** Cells the line may take; longer text is cut. */
  readonly width: number;
}

/**
 * One line of segments as a string with SGR escapes, cut to `width`
 * cells. Why not one Ink `<Text>` per segment: a 200x50 frame has about a
 * thousand segments, and Ink's nested texts cost a React element, a layout
 * node and a width measure each; one pre-styled string per line keeps a
 * frame of 500 servers within a few milliseconds. Every glyph the
 * dashboard draws is one cell wide, so cells are counted as code points.
 */
export function toAnsi(segments: readonly Segment[], style: LineStyle): string {
  let out = '';
  let left = style.width;
  for (const s of segments) {
    if (left <= 0) break;
    const chars = [...s.text];
    const text = chars.length > left ? chars.slice(0, left).join('') : s.text;
    left -= Math.min(chars.length, left);
    if (text === '') continue;
    if (style.dim === true) {
      out += text;
      continue;
    }
    let open = '';
    let close = '';
    if (s.bold === true) {
      open += `${ESC}1m`;
      close = `${ESC}22m${close}`;
    }
    if (s.dim === true) {
      open += `${ESC}2m`;
      close = `${ESC}22m${close}`;
    }
    if (s.underline === true) {
      open += `${ESC}4m`;
      close = `${ESC}24m${close}`;
    }
    if (s.inverse === true && style.selected !== true) {
      open += `${ESC}7m`;
      close = `${ESC}27m${close}`;
    }
    if (s.color !== undefined && style.colour) {
      open += `${ESC}${FG[s.color]}m`;
      close = `${ESC}39m${close}`;
    }
    out += open + text + close;
  }
  if (style.dim === true) return out === '' ? out : `${ESC}2m${out}${ESC}22m`;
  if (style.selected === true) return `${ESC}7m${out}${ESC}27m`;
  return out;
}
