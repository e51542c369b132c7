import { describe, expect, it } from 'vitest';
import { parseNumber } from '../../src/core/semantics/numbers.js';

describe('number literals', () => {
  it('reads plain integers as parseFloat does, over every length up to 15 digits', () => {
    for (let digits = 1; digits <= 15; digits++) {
      for (const text of ['1'.repeat(digits), '9'.repeat(digits), `${'0'.repeat(digits - 1)}7`, String(10 ** (digits - 1))]) {
        expect(parseNumber(text), text).toBe(parseFloat(text));
      }
    }
  });

  it('reads decimals, exponents and 16+ digit integers as parseFloat does', () => {
    for (const text of ['0.5', '3.25', '1e3', '2.5e-4', '1234567890123456', '98765432109876543']) {
      expect(parseNumber(text), text).toBe(parseFloat(text));
    }
  });

  it('scales SI suffixes (600M, 3.5k, 4G, 1T)', () => {
    expect(parseNumber('600M')).toBe(600_000_000);
    expect(parseNumber('3.5k')).toBe(3_500);
    expect(parseNumber('4G')).toBe(4_000_000_000);
    expect(parseNumber('1T')).toBe(1_000_000_000_000);
    expect(parseNumber('0.3M')).toBe(300_000);
  });
});
