// Pure formatting for the status bar and its tooltip; kept free of the vscode API so it is
// unit-tested in plain Node. Numbers are written by src/shared/format-number.ts.

/** A space's size in full with thousands separators (15,625), or as 1.2e+21 when it is huge. */
export function formatArchitectureCount(count: number): string {
  if (!Number.isFinite(count)) return '∞';
  if (count >= 1e15) return count.toExponential(2).replace('e+', 'e');
  return Math.round(count).toLocaleString('en-US');
}
