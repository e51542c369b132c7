// Turns the server's cost report for a file into the status bar's text and tooltip.
import type { CostReport, CostReportEntry } from './provisional-protocol.js';
import { formatArchitectureCount, formatCompact, formatRange } from './format-cost.js';

export interface CostSummary {
  text: string;
  tooltip: string;
}

export type CostUnit = 'macs' | 'flops';

const UNIT_LABEL: Record<CostUnit, string> = { macs: 'MACs', flops: 'FLOPs' };

function describeEntry(entry: CostReportEntry, unit: CostUnit): string {
  const label = UNIT_LABEL[unit];
  if (entry.kind === 'space') {
    const archs = entry.architectures === undefined ? '?' : formatArchitectureCount(entry.architectures);
    const min = unit === 'macs' ? entry.macsMin : entry.flopsMin;
    const max = unit === 'macs' ? entry.macsMax : entry.flopsMax;
    const cost = min !== undefined && max !== undefined ? ` · ${formatRange(min, max)} ${label}` : '';
    return `${archs} archs${cost}`;
  }
  const total = unit === 'macs' ? entry.macs : entry.flops;
  const cost = total === undefined ? `? ${label}` : `${formatCompact(total)} ${label}`;
  const params = entry.params === undefined ? '' : ` · ${formatCompact(entry.params)} params`;
  return `${cost}${params}`;
}

/**
 * The status bar shows one definition (the last network or space of the file: in a file of
 * blocks ending with the model, the model); the tooltip lists all of them.
 */
export function describeCostReport(report: CostReport | null | undefined, unit: CostUnit): CostSummary | undefined {
  const entries = report?.entries ?? [];
  if (entries.length === 0) return undefined;
  const main = entries[entries.length - 1]!;
  const icon = main.kind === 'space' ? '$(symbol-array)' : '$(pulse)';
  const rows = entries.map((e) => `| ${e.kind} | \`${e.name}\` | ${describeEntry(e, unit)} |`);
  return {
    text: `${icon} ${describeEntry(main, unit)}`,
    tooltip: ['**NAS Studio** — cost of this file', '', '| | | |', '|---|---|---|', ...rows].join('\n'),
  };
}
