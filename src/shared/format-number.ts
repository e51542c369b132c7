/**
 * The one way figures are written for people: compact SI (4.09G, 25.6M, 37k, 512), in the
 * editor's hints, hovers and lenses, the status bar, and the CLI's human output.
 */

/** Compact SI: `digits` significant digits and a suffix k, M, G or T. */
export function formatSI(x: number, digits = 3): string {
  const abs = Math.abs(x);
  for (const [suffix, scale] of [
    ['T', 1e12],
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (abs >= scale) return `${Number((x / scale).toPrecision(digits))}${suffix}`;
  }
  return `${Number(x.toPrecision(digits))}`;
}

/** A range "min–max" in compact SI, one value when both ends print the same. */
export function formatSIRange(min: number, max: number): string {
  const low = formatSI(min);
  const high = formatSI(max);
  return low === high ? low : `${low}–${high}`;
}
