/**
 * A small seeded PRNG (mulberry32, Tommy Ettinger 2017): 32-bit state, fast, good enough for
 * sampling architectures and shuffling; not for cryptography.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Index drawn with probability proportional to `weights` (non-negative bigints). */
  weighted(weights: readonly bigint[]): number {
    const total = weights.reduce((a, b) => a + b, 0n);
    if (total === 0n) return 0;
    // 53 random bits scaled to the total keeps the draw exact enough for any space size.
    const r = ((BigInt(Math.floor(this.next() * 2 ** 26)) * 2n ** 27n + BigInt(Math.floor(this.next() * 2 ** 27))) * total) / 2n ** 53n;
    let acc = 0n;
    for (let i = 0; i < weights.length; i++) {
      acc += weights[i]!;
      if (r < acc) return i;
    }
    return weights.length - 1;
  }
}

/** 64-bit FNV-1a of a string, as 16 hex digits: a stable, short architecture id. */
export function hash64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}
