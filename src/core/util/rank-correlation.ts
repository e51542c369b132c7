/**
 * Rank correlations between two paired samples: Spearman's ρ (Pearson's correlation of the
 * ranks, ties given their mean rank) and Kendall's τ-b (Kendall 1945, ties corrected), the
 * two figures NAS papers report for how well a proxy orders architectures.
 */

/** -1, 0 or 1, equal infinities equal (a subtraction would give NaN). */
const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Ranks 1..n, ties sharing the mean of the ranks they span. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => cmp(xs[a]!, xs[b]!));
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]!] = mean;
    i = j + 1;
  }
  return r;
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n !== ys.length || n < 2) throw new RangeError('pearson needs two samples of the same length, at least 2');
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

export function spearman(xs: readonly number[], ys: readonly number[]): number {
  return pearson(ranks(xs), ranks(ys));
}

/** Kendall's τ-b: (concordant − discordant) / √((n0 − ties in x)(n0 − ties in y)). O(n²). */
export function kendallTau(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n !== ys.length || n < 2) throw new RangeError('kendallTau needs two samples of the same length, at least 2');
  let s = 0;
  let tx = 0;
  let ty = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = cmp(xs[i]!, xs[j]!);
      const b = cmp(ys[i]!, ys[j]!);
      pairs++;
      if (a === 0) tx++;
      if (b === 0) ty++;
      s += a * b;
    }
  }
  const d = Math.sqrt((pairs - tx) * (pairs - ty));
  return d === 0 ? NaN : s / d;
}
