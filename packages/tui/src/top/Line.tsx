import { Text } from 'ink';
import { toAnsi } from './ansi.js';
import type { Segment } from './columns.js';

/** Props of {@link Line}. */
export interface LineProps {
  readonly segments: readonly Segment[];
  /** Cells the line may take. */
  readonly width: number;
  /** Colours on; attributes (bold, inverse...) are drawn either way. */
  readonly colour: boolean;
  /** Draw the whole line inverted (the selected row). */
  readonly selected?: boolean;
  /** Draw the whole line dim and without colours (data of a daemon out of reach). */
  readonly dim?: boolean;
}

/**
 * One screen line: a single Ink `Text` holding the line pre-styled (see
 * `toAnsi` for why). `truncate-end` is a guard: a line never wraps into the
 * next one, so the layout cannot break.
 */
export function Line({ segments, width, colour, selected = false, dim = false }: LineProps) {
  // A lone space, not '': Ink gives an empty text no line at all.
  const text = toAnsi(segments, { width, colour, selected, dim }) || ' ';
  return <Text wrap="truncate-end">{text}</Text>;
}
