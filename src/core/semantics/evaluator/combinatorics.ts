/** Counting and ranking k-combinations, for `choose(k, options)`: its options are the C(n, k) subsets. */

export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** C(n, k), or Infinity when it exceeds `cap` (computed without leaving exact integers). */
export function binomialAtMost(n: number, k: number, cap: number): number {
  const m = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= m; i++) {
    // r * (n - m + i) / i is C(n - m + i, i), an integer; r <= cap keeps the product exact.
    r = (r * (n - m + i)) / i;
    if (r > cap) return Infinity;
  }
  return Math.round(r);
}

/** The idx-th k-combination of 0..n-1 in lexicographic order. */
export function unrankCombination(n: number, k: number, idx: number): number[] {
  const out: number[] = [];
  let x = 0;
  let rest = idx;
  for (let slot = k; slot > 0; slot--) {
    for (;;) {
      const c = binomial(n - x - 1, slot - 1);
      if (rest < c) break;
      rest -= c;
      x++;
    }
    out.push(x);
    x++;
  }
  return out;
}

/** The lexicographic rank of the k-combination `sorted` (ascending) of 0..n-1: the inverse of unrankCombination. */
export function rankCombination(n: number, sorted: readonly number[]): number {
  const k = sorted.length;
  let rank = 0;
  let x = 0;
  for (let slot = 0; slot < k; slot++) {
    for (; x < sorted[slot]!; x++) rank += binomial(n - x - 1, k - slot - 1);
    x++;
  }
  return rank;
}
