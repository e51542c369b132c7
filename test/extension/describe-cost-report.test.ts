import { describe, expect, it } from 'vitest';
import { describeCostReport } from '../../src/extension/describe-cost-report.js';
import { formatArchitectureCount, formatCompact, formatRange } from '../../src/extension/format-cost.js';

describe('cost formatting for the status bar', () => {
  it('formats counts compactly like the inlay hints', () => {
    expect(formatCompact(4_089_184_256)).toBe('4.09G');
    expect(formatCompact(25_557_032)).toBe('25.6M');
    expect(formatCompact(36_864)).toBe('36.9k');
    expect(formatCompact(448)).toBe('448');
    expect(formatCompact(0)).toBe('0');
  });

  it('writes a space size in full, or in scientific notation when huge', () => {
    expect(formatArchitectureCount(15_625)).toBe('15,625');
    expect(formatArchitectureCount(1.2e21)).toBe('1.20e21');
    expect(formatArchitectureCount(Infinity)).toBe('∞');
  });

  it('collapses a range whose ends print the same', () => {
    expect(formatRange(7.783e6, 220.12e6)).toBe('7.78M–220M');
    expect(formatRange(5e6, 5e6)).toBe('5M');
  });
});

describe('describeCostReport', () => {
  it('shows the last network of a file with its MACs and params, and lists every definition in the tooltip', () => {
    const summary = describeCostReport(
      {
        uri: 'file:///w/a.nas',
        entries: [
          { kind: 'network', name: 'Small', macs: 1e6, flops: 2e6, params: 1000 },
          { kind: 'network', name: 'ResNet50', macs: 4.089e9, flops: 8.2e9, params: 25.56e6 },
        ],
      },
      'macs',
    );
    expect(summary?.text).toBe('$(pulse) 4.09G MACs · 25.6M params');
    expect(summary?.tooltip).toContain('`Small` | 1M MACs · 1k params');
    expect(summary?.tooltip).toContain('`ResNet50`');
  });

  it('shows FLOPs when the setting asks for them', () => {
    const summary = describeCostReport({ uri: 'u', entries: [{ kind: 'network', name: 'N', macs: 1e9, flops: 2.1e9, params: 5e6 }] }, 'flops');
    expect(summary?.text).toBe('$(pulse) 2.1G FLOPs · 5M params');
  });

  it('shows a space as its size and cost range', () => {
    const summary = describeCostReport(
      { uri: 'u', entries: [{ kind: 'space', name: 'NB201', architectures: 15_625, macsMin: 7.783e6, macsMax: 220.12e6 }] },
      'macs',
    );
    expect(summary?.text).toBe('$(symbol-array) 15,625 archs · 7.78M–220M MACs');
  });

  it('hides the item for a file without networks or spaces, or without a report', () => {
    expect(describeCostReport({ uri: 'u', entries: [] }, 'macs')).toBeUndefined();
    expect(describeCostReport(null, 'macs')).toBeUndefined();
  });
});
