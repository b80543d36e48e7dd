import { Box } from 'ink';
import { helpLines } from './help-lines.js';
import { Line } from './Line.js';

/** Props of {@link HelpScreen}. */
export interface HelpScreenProps {
  readonly readOnly: boolean;
  /** Lines available (the table's place); longer help is cut. */
  readonly height: number;
  /** Pad with blank lines to `height`. */
  readonly fill: boolean;
  readonly width: number;
  readonly colour: boolean;
}

/** The `?` screen, drawn from the key table, in the table's place. */
export function HelpScreen({ readOnly, height, fill, width, colour }: HelpScreenProps) {
  const lines = helpLines(readOnly).slice(0, height);
  const blank = fill ? Math.max(0, height - lines.length) : 0;
  return (
    <Box flexDirection="column">
      {lines.map((segments, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: help lines are positional
        <Line key={i} segments={segments} width={width} colour={colour} />
      ))}
      {Array.from({ length: blank }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blank filler lines have no identity
        <Line key={`blank-${i}`} segments={[]} width={width} colour={colour} />
      ))}
    </Box>
  );
}
