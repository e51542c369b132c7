/**
 * NASWOT's kernel term of one ReLU layer (Mellor, Turner, Storkey & Crowley, "Neural
 * Architecture Search without Training", ICML 2021): for images i and j, the number of units
 * whose on/off state agrees, N_units − Hamming(c_i, c_j). The codes are packed 32 units to a
 * word and compared by XOR and popcount: exact integers, and a small fraction of the work of
 * the two float matrix products c·cᵀ + (1 − c)(1 − c)ᵀ.
 */

/**
 * Adds, for every pair of the n images, the count of units on which their codes agree; a unit
 * is on where its value (a ReLU's output, n images one after the other) is above 0.
 */
export function addAgreements(k: Float64Array, n: number, values: Float32Array): void {
  const units = values.length / n;
  const words = Math.ceil(units / 32);
  const packed = new Uint32Array(n * words);
  for (let i = 0; i < n; i++) {
    const base = i * units;
    const row = i * words;
    for (let u = 0; u < units; u++) if (values[base + u]! > 0) packed[row + (u >>> 5)]! |= 1 << (u & 31);
  }
  for (let i = 0; i < n; i++) {
    k[i * n + i]! += units;
    for (let j = i + 1; j < n; j++) {
      let differ = 0;
      for (let w = 0, a = i * words, b = j * words; w < words; w++) differ += popcount(packed[a + w]! ^ packed[b + w]!);
      k[i * n + j]! += units - differ;
      k[j * n + i]! += units - differ;
    }
  }
}

/** Set bits of a 32-bit word (Hacker's Delight, §5-1). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
