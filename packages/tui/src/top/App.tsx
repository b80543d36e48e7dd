import { useApp, useWindowSize } from 'ink';
import { useEffect } from 'react';
import { Frame } from './Frame.js';
import type { Glyphs } from './format.js';
import type { TopSource } from './source.js';
import type { TopState } from './state.js';
import { useKeyInput } from './use-key-input.js';
import { useTop } from './use-top.js';

/** Props of {@link App}. */
export interface AppProps {
  readonly source: TopSource;
  readonly initial: TopState;
  readonly glyphs: Glyphs;
  /** Epoch ms. */
  readonly now: () => number;
  /** Called once with the exit code when the operator quits. */
  readonly onExit: (code: number) => void;
  /** Colours on (off: NO_COLOR, --no-color). @default true */
  readonly colour?: boolean;
  /** A fixed size instead of the terminal's (tests). */
  readonly size?: { columns: number; rows: number };
}

/** The interactive dashboard: the frame, fed by the source, driven by the keys, sized by the terminal. */
export function App({ source, initial, glyphs, now, onExit, colour = true, size }: AppProps) {
  const [state, dispatch] = useTop(source, initial, now);
  const { exit } = useApp();
  const terminal = useWindowSize();
  useKeyInput(dispatch);

  const columns = size?.columns ?? terminal.columns;
  const rows = size?.rows ?? terminal.rows;
  useEffect(() => dispatch({ type: 'resize', columns, rows }), [columns, rows, dispatch]);

  useEffect(() => {
    if (state.exit === undefined) return;
    onExit(state.exit);
    exit();
  }, [state.exit, onExit, exit]);

  return <Frame state={state} glyphs={glyphs} mode="interactive" colour={colour} />;
}
