/**
 * "Did you mean" hints: the closest known keyword by edit distance, where a
 * swap of two neighbouring letters counts as one edit (the commonest typo).
 * Phrases are also compared with their spaces removed, so a forgotten space
 * (`modetcp`) finds `mode tcp`.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** How many edits a candidate of this length may be away and still be suggested. */
function tolerance(candidate: string): number {
  return Math.max(1, Math.min(3, Math.floor(candidate.length / 4)));
}

/**
 * The candidate closest to what was written, or undefined when none is close
 * enough. `words` are the words of the line: a candidate phrase of N words is
 * compared with the first N words, and with the first word alone once its
 * spaces are removed.
 */
export function suggest(words: readonly string[], candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const count = candidate.split(' ').length;
    const written = words.slice(0, count).join(' ');
    let distance = editDistance(written.toLowerCase(), candidate);
    if (count > 1)
      distance = Math.min(distance, editDistance(words[0]!.toLowerCase(), candidate.replaceAll(' ', '')));
    if (distance <= tolerance(candidate) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The closest of a list of single values (`roundrobbin` to `roundrobin`). */
export function suggestValue(value: string, candidates: Iterable<string>): string | undefined {
  return suggest([value], candidates);
}
