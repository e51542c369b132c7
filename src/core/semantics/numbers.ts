/** Number literals with SI suffixes: 600M, 3.5k, 4G, 1T. */
const SI: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function parseNumber(text: string): number {
  // Most literals are small integers (channels, kernels, strides): read their digits here,
  // which costs a tenth of parseFloat (an elaboration evaluates every literal it meets).
  const n = text.length;
  if (n > 0 && n < 16) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n) return v;
  }
  return parseDecimal(text);
}

function parseDecimal(text: string): number {
  const last = text[text.length - 1]!;
  const scale = SI[last];
  if (scale !== undefined) return Math.round(parseFloat(text.slice(0, -1)) * scale * 1e6) / 1e6;
  return parseFloat(text);
}
