/**
 * Parsers of the CLI's numeric options. Each accepts plain decimal integers in its documented
 * range and nothing else: `Number()` would take `""` for 0, `1e300` for an integer and
 * `0x10` for 16, and a seed beyond 2^32 - 1 would be reduced modulo 2^32 without a word.
 */
import { UsageError } from './load.js';

/** Seeds: the generator's state is 32 bits (core/util/random.ts). */
export const MAX_SEED = 2 ** 32 - 1;
/** Architectures one `nas sample` prints (each is a full elaboration and a page of text). */
export const MAX_SAMPLE_COUNT = 100_000;

/** A parser for `--name`: an integer in [min, max], written in decimal digits. */
export function integerOption(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
      throw new UsageError(`--${name} needs an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, found ${JSON.stringify(v)}`);
    }
    return n;
  };
}

export const seedOption = integerOption('seed', 0, MAX_SEED);
