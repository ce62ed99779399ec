/**
 * "Did you mean" for names the user types (device ids, options): the closest candidates by edit distance.
 */

/** Levenshtein distance (insertions, deletions, substitutions, and transpositions of neighbours count 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Candidates within `maxDistance` of `word` (default: a third of its length, at least 1, at most 3), closest
 * first, ties in the candidates' order. Case is ignored.
 */
export function closest(word: string, candidates: readonly string[], maxDistance?: number): string[] {
  const w = word.toLowerCase();
  const limit = maxDistance ?? Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  return candidates
    .map((c, i) => ({ c, i, d: editDistance(w, c.toLowerCase()) }))
    .filter((x) => x.d <= limit && x.d > 0)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .map((x) => x.c);
}

/** ` Did you mean 'a'?` / ` Did you mean 'a' or 'b'?`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates).slice(0, 2);
  return c.length === 0 ? '' : ` Did you mean ${c.map((x) => `'${x}'`).join(' or ')}?`;
}
