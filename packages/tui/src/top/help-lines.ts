import type { Segment } from './columns.js';
import { KEY_BINDINGS, type KeyBinding, VIEWS } from './keys.js';

/** What a binding needs besides its key: where it works, and whether it asks first. */
export function bindingNotes(b: KeyBinding): string {
  const notes: string[] = [];
  if (b.views !== undefined && b.views.length < VIEWS.length) notes.push(`${b.views.join(', ')} view`);
  if (b.dangerous === true) notes.push('asks y/N first');
  if (b.mutates === true) notes.push('not with --read-only');
  return notes.join('; ');
}

/** The `?` screen: every key of the table, those hidden by `--read-only` left out. */
export function helpLines(readOnly: boolean): Segment[][] {
  const shown = KEY_BINDINGS.filter((b) => !(readOnly && b.mutates === true));
  const width = Math.max(...shown.map((b) => b.keys.length));
  const lines: Segment[][] = [[{ text: 'Keys (any key closes this help)', bold: true }]];
  for (const b of shown) {
    const notes = bindingNotes(b);
    lines.push([
      { text: `  ${b.keys.padEnd(width)}  `, bold: true, color: 'cyan' },
      { text: b.help },
      ...(notes === '' ? [] : [{ text: `  (${notes})`, dim: true }]),
    ]);
  }
  if (readOnly) lines.push([{ text: '  --read-only: the actions on servers are off', color: 'yellow' }]);
  return lines;
}
