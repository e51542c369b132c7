import { describe, expect, it } from 'vitest';
import type { CostReportResult, DefinitionCost } from '../../src/protocol/lsp-extensions.js';
import { describeCostReport } from '../../src/extension/describe-cost-report.js';
import { formatArchitectureCount } from '../../src/extension/format-cost.js';

describe('cost formatting for the status bar', () => {
  it('writes a space size in full, or in scientific notation when huge', () => {
    expect(formatArchitectureCount(15_625)).toBe('15,625');
    expect(formatArchitectureCount(1.2e21)).toBe('1.20e21');
    expect(formatArchitectureCount(Infinity)).toBe('∞');
  });
});

const range = (start: number, end: number) => ({ start: { line: start, character: 0 }, end: { line: end, character: 1 } });

function network(name: string, lines: [number, number], macs: number, params: number): DefinitionCost {
  return { name, kind: 'network', range: range(...lines), totals: { macs, params, acts: 0 }, statements: [] };
}

describe('describeCostReport', () => {
  const report: CostReportResult = {
    uri: 'file:///w/a.nas',
    definitions: [network('Small', [0, 5], 1e6, 1000), network('ResNet50', [7, 30], 4.089e9, 25.56e6)],
  };

  it("shows the file's last network when the cursor is outside every definition, and lists all in the tooltip", () => {
    const summary = describeCostReport(report, 'macs');
    expect(summary?.text).toBe('$(pulse) 4.09G MACs · 25.6M params');
    expect(summary?.tooltip).toContain('`Small` | 1M MACs · 1k params');
    expect(summary?.tooltip).toContain('`ResNet50` | 4.09G MACs');
    expect(describeCostReport(report, 'macs', 6)?.name).toBe('ResNet50');
  });

  it('shows the network under the cursor', () => {
    expect(describeCostReport(report, 'macs', 3)).toMatchObject({ name: 'Small', text: '$(pulse) 1M MACs · 1k params' });
  });

  it('shows FLOPs (2 × MACs) when the setting asks for them', () => {
    expect(describeCostReport(report, 'flops')?.text).toBe('$(pulse) 8.18G FLOPs · 25.6M params');
  });

  it('shows a space as its size and cost range, marking ranges that are estimates', () => {
    const space: DefinitionCost = {
      name: 'NB201',
      kind: 'space',
      range: range(0, 20),
      statements: [],
      space: { size: '15625', log10Size: 4.19, minParams: 73_306, maxParams: 1_531_546, minMacs: 7.783e6, maxMacs: 220.12e6, exact: true, method: 'separable' },
    };
    expect(describeCostReport({ uri: 'u', definitions: [space] }, 'macs')?.text).toBe('$(symbol-array) 15,625 archs · 7.78M–220M MACs');
    const huge = { ...space, space: { ...space.space!, size: '1' + '0'.repeat(30), log10Size: 30, exact: false } };
    expect(describeCostReport({ uri: 'u', definitions: [huge] }, 'macs')?.text).toBe('$(symbol-array) ~1e30 archs · ≈7.78M–220M MACs');
  });

  it('says when a network could not be elaborated or a space not counted', () => {
    const broken: DefinitionCost = { name: 'Broken', kind: 'network', range: range(0, 3), statements: [] };
    expect(describeCostReport({ uri: 'u', definitions: [broken] }, 'macs')?.text).toBe('$(pulse) ? MACs (not elaborated)');
    const space: DefinitionCost = { name: 'S', kind: 'space', range: range(0, 3), statements: [], spaceError: 'too many choices' };
    expect(describeCostReport({ uri: 'u', definitions: [space] }, 'macs')?.text).toBe('$(symbol-array) space: too many choices');
  });

  it('hides the item for a file without networks or spaces, or without a report', () => {
    expect(describeCostReport({ uri: 'u', definitions: [] }, 'macs')).toBeUndefined();
    expect(describeCostReport(null, 'macs')).toBeUndefined();
  });
});
