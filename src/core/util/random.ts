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

/**
 * 64-bit FNV-1a of a string (over its UTF-16 code units), as 16 hex digits: a stable, short
 * architecture id. Computed on two 32-bit halves (the prime is 2^40 + 0x1b3): a search hashes
 * every architecture it meets, and BigInt arithmetic made this the search loop's hot spot.
 */
export function hash64(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // h * (2^40 + 0x1b3) mod 2^64: lo * 0x1b3 is below 2^41, exact in a double.
    const p = lo * 0x1b3;
    const carry = Math.floor(p / 4294967296);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = p >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
