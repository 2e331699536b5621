/** Near-miss detection for names a user may misspell (table properties, environment variables). */

/** True when `a` becomes `b` with at most `max` single-character insertions, deletions or substitutions. */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) > max) return false;
    prev = row;
  }
  return prev[b.length]! <= max;
}

/** The first of `candidates` within `max` edits of `word`, if any. */
export function nearMiss(word: string, candidates: readonly string[], max = 2): string | undefined {
  return candidates.find((c) => withinEdits(word, c, max));
}
