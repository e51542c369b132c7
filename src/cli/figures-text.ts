/**
 * Counts for the CLI's output (parameters, MACs, architectures) that say when they are not
 * exact. The costs are doubles: a product or sum beyond 2^53 is rounded (an `fc` of 94,906,267
 * outputs on 94,906,265 inputs has 9,007,199,420,969,022 parameters; the double is ...024).
 * Costs only multiply and add non-negative integers (channels are divided by groups before
 * they multiply), so a figure of at most Number.MAX_SAFE_INTEGER is exact; beyond, it may be
 * rounded, and human output prints it in scientific form marked approximate while JSON lists
 * it under `approximate`.
 */

/** Exact figures with thousands separators; beyond 2^53, e.g. `≈9.00720e+15 (approximate)`. */
export function formatCount(n: number): string {
  return isExact(n) ? n.toLocaleString('en-US') : `≈${n.toPrecision(6)} (approximate)`;
}

export function isExact(n: number): boolean {
  return Number.isSafeInteger(n);
}

/** The names of the fields of `figures` that are beyond 2^53, or undefined when all are exact. */
export function approximateFields<K extends string>(figures: Partial<Record<K, number>>): K[] | undefined {
  const out = (Object.keys(figures) as K[]).filter((k) => {
    const v = figures[k];
    return typeof v === 'number' && !isExact(v);
  });
  return out.length > 0 ? out : undefined;
}
