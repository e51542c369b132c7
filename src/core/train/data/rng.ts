/**
 * A small seeded PRNG, so that shuffling, augmentation, the embedded dataset and weight
 * initialisation are reproducible from one integer seed on every backend and machine.
 *
 * Generator: Mulberry32 (Tommy Ettinger, public domain, 2017): 32-bit state, passes
 * PractRand to 2^32 bytes, plenty for shuffles and augmentation draws. Seeds of derived
 * streams are mixed with the SplitMix32 finaliser (after Steele, Lea & Flood, "Fast
 * splittable pseudorandom number generators", OOPSLA 2014) so that nearby seeds (epoch 3
 * vs 4, image 41 vs 42) give unrelated streams.
 */

/** Mixes up to a few integers into one well-scrambled 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = (h ^ (p >>> 0)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    h = (h + 0x9e3779b9) >>> 0;
  }
  return h;
}

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform float in [0, 1). */
  nextFloat(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  /** Standard normal draw (Box–Muller). */
  nextNormal(): number;
}

export function createRng(seed: number): Rng {
  let a = mixSeed(seed);
  let spare: number | undefined;
  const nextU32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const nextFloat = (): number => nextU32() / 4294967296;
  return {
    nextU32,
    nextFloat,
    nextInt: (n) => Math.floor(nextFloat() * n),
    nextNormal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // 1 - u keeps log's argument in (0, 1].
      const u = 1 - nextFloat();
      const v = nextFloat();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) of `0..n-1`. */
export function shuffledIndices(n: number, rng: Rng): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}
