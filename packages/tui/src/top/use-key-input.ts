import { type Key, useInput, useStdin } from 'ink';
import type { Dispatch } from 'react';
import type { KeyPress } from './keys.js';
import type { TopAction } from './reducer.js';

/** Ink's key as the reducer's {@link KeyPress}. */
export function toKeyPress(input: string, key: Key): KeyPress {
  return {
    input,
    ctrl: key.ctrl,
    shift: key.shift,
    tab: key.tab,
    escape: key.escape,
    return: key.return,
    backspace: key.backspace,
    delete: key.delete,
    upArrow: key.upArrow,
    downArrow: key.downArrow,
    leftArrow: key.leftArrow,
    rightArrow: key.rightArrow,
    pageUp: key.pageUp,
    pageDown: key.pageDown,
    home: key.home,
    end: key.end,
  };
}

/**
 * Sends every key to the reducer. Inactive when stdin cannot be put in raw
 * mode (not a terminal): Ink would throw, and there is nothing to read.
 */
export function useKeyInput(dispatch: Dispatch<TopAction>): void {
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => dispatch({ type: 'key', key: toKeyPress(input, key) }), {
    isActive: isRawModeSupported,
  });
}
