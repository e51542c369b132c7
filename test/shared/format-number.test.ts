import { describe, expect, it } from 'vitest';
import { formatSI, formatSIRange } from '../../src/shared/format-number.js';

describe('compact SI numbers (hints, status bar, CLI)', () => {
  it('keeps three significant digits and a suffix', () => {
    expect(formatSI(4_089_184_256)).toBe('4.09G');
    expect(formatSI(25_557_032)).toBe('25.6M');
    expect(formatSI(36_864)).toBe('36.9k');
    expect(formatSI(999)).toBe('999');
    expect(formatSI(448)).toBe('448');
    expect(formatSI(0)).toBe('0');
    expect(formatSI(1.5e12)).toBe('1.5T');
  });

  it('takes more digits when asked (the CLI prints MACs with four)', () => {
    expect(formatSI(4_089_184_256, 4)).toBe('4.089G');
  });

  it('collapses a range whose ends print the same', () => {
    expect(formatSIRange(7.783e6, 220.12e6)).toBe('7.78M–220M');
    expect(formatSIRange(5e6, 5e6)).toBe('5M');
    expect(formatSIRange(1_234_100, 1_234_200)).toBe('1.23M');
  });
});
