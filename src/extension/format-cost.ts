// Pure formatting for the status bar and its tooltip; kept free of the vscode API so it is
// unit-tested in plain Node.

/** Compact SI formatting as in the inlay hints: 4.09G, 25.6M, 37k, 512. */
export function formatCompact(value: number, digits = 3): string {
  const abs = Math.abs(value);
  for (const [suffix, scale] of [
    ['T', 1e12],
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (abs >= scale) return `${Number((value / scale).toPrecision(digits))}${suffix}`;
  }
  return `${Number(value.toPrecision(digits))}`;
}

/** A space's size in full with thousands separators (15,625), or as 1.2e+21 when it is huge. */
export function formatArchitectureCount(count: number): string {
  if (!Number.isFinite(count)) return '∞';
  if (count >= 1e15) return count.toExponential(2).replace('e+', 'e');
  return Math.round(count).toLocaleString('en-US');
}

/** A cost range "min–max" collapsed to one value when both ends are equal. */
export function formatRange(min: number, max: number): string {
  const low = formatCompact(min);
  const high = formatCompact(max);
  return low === high ? low : `${low}–${high}`;
}
