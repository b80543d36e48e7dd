import { render } from 'ink';
import { App } from './App.js';
import type { Glyphs } from './format.js';
import type { TopSource } from './source.js';
import type { TopState } from './state.js';

/** Options of {@link runInteractive}. */
export interface RunInteractiveOptions {
  source: TopSource;
  initial: TopState;
  glyphs: Glyphs;
  /** Colours on (off: NO_COLOR, --no-color). */
  colour: boolean;
  now: () => number;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  /** Registers a SIGINT handler; returns its removal (`CliDeps.onInterrupt`). */
  onInterrupt?: ((handler: () => void) => () => void) | undefined;
}

/** Exit code of an interrupted lbctl command (Ctrl-C or SIGINT). */
const INTERRUPTED = 130;

/**
 * Runs the dashboard in the terminal until the operator quits; resolves
 * with the exit code (`q` 0, Ctrl-C 130). The alternate screen keeps the
 * shell's scrollback intact (as htop does), incremental rendering rewrites
 * only the lines that changed (no flicker, little traffic over ssh), and
 * Ctrl-C reaches the key table instead of killing the process.
 */
export async function runInteractive(options: RunInteractiveOptions): Promise<number> {
  let code = 0;
  const instance = render(
    <App
      source={options.source}
      initial={options.initial}
      glyphs={options.glyphs}
      colour={options.colour}
      now={options.now}
      onExit={(c) => {
        code = c;
      }}
    />,
    {
      stdout: options.stdout,
      stdin: options.stdin,
      stderr: options.stderr,
      exitOnCtrlC: false,
      // Only a terminal gets here; Ink would otherwise draw nothing but the
      // last frame whenever CI is set, even in a terminal someone is watching.
      interactive: true,
      alternateScreen: true,
      incrementalRendering: true,
      // A frame a second is the data's pace; more would only cost CPU while keys repeat.
      maxFps: 20,
    },
  );
  // Without raw mode (stdin not a terminal) Ctrl-C is a signal, not a key.
  const removeInterrupt = options.onInterrupt?.(() => {
    code = INTERRUPTED;
    instance.unmount();
  });
  try {
    await instance.waitUntilExit();
  } finally {
    removeInterrupt?.();
  }
  return code;
}
