/**
 * The one Ink test helper of the package: renders with ink-testing-library
 * and flushes React 19's scheduler before a frame is read. React 19 commits
 * updates from a macrotask, so a test that reads `lastFrame()` right after
 * `stdin.write()` sees the previous frame; a few `setImmediate` turns let
 * the scheduler, Ink's render and its throttled output all run. Tests that
 * fake timers must fake only `setInterval`: the scheduler needs real
 * `setTimeout`/`setImmediate`.
 */
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';

/** Lets React's scheduler and Ink's renderer run (a few macrotask turns). */
export async function flush(turns = 4): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Keys as a terminal sends them, for {@link InkHarness.press}. */
export const KEYS = {
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  pageDown: '\u001b[6~',
  pageUp: '\u001b[5~',
  tab: '\t',
  shiftTab: '\u001b[Z',
  enter: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  ctrlC: '\u0003',
} as const;

/** A rendered tree and ways to drive it. */
export interface InkHarness {
  /** The last frame, after flushing. */
  frame(): Promise<string>;
  /** Types keys (one write each, as a terminal sends them), flushing after each. */
  press(...keys: string[]): Promise<void>;
  rerender(tree: ReactElement): Promise<void>;
  unmount(): void;
  /** Every frame written so far. */
  readonly frames: readonly string[];
}

/** Renders `tree` and flushes once, so the first frame is there. */
export async function renderInk(tree: ReactElement): Promise<InkHarness> {
  const instance = render(tree);
  await flush();
  return {
    async frame() {
      await flush();
      return instance.lastFrame() ?? '';
    },
    async press(...keys) {
      for (const key of keys) {
        instance.stdin.write(key);
        await flush();
      }
    },
    async rerender(next) {
      instance.rerender(next);
      await flush();
    },
    unmount() {
      instance.unmount();
      instance.cleanup();
    },
    frames: instance.frames,
  };
}
