/**
 * True when two pieces of parsed configuration say the same thing. Where
 * they were written (`where`: file and line) does not count, so adding a
 * line above a server does not make a reload treat it as changed.
 */
export function sameConfig(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'where' ? undefined : v));
}
