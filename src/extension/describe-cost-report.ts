// Turns the server's cost report for a file into the status bar's text and tooltip.
import type { CostReportResult, DefinitionCost } from '../protocol/lsp-extensions.js';
import { formatArchitectureCount } from './format-cost.js';
import { formatSI, formatSIRange } from '../shared/format-number.js';

export interface CostSummary {
  /** The definition the item describes. */
  name: string;
  text: string;
  tooltip: string;
}

export type CostUnit = 'macs' | 'flops';

const UNIT_LABEL: Record<CostUnit, string> = { macs: 'MACs', flops: 'FLOPs' };

/** The protocol reports MACs; FLOPs are counted as 2 × MACs, as in the inlay hints. */
function inUnit(macs: number, unit: CostUnit): number {
  return unit === 'flops' ? 2 * macs : macs;
}

function describeDefinition(definition: DefinitionCost, unit: CostUnit): string {
  const label = UNIT_LABEL[unit];
  if (definition.kind === 'space') {
    const space = definition.space;
    if (!space) return definition.spaceError ? `space: ${definition.spaceError}` : 'space';
    const size = Number(space.size);
    const archs = Number.isSafeInteger(size) ? formatArchitectureCount(size) : `~1e${Math.floor(space.log10Size)}`;
    const approx = space.exact ? '' : '≈';
    return `${archs} archs · ${approx}${formatSIRange(inUnit(space.minMacs, unit), inUnit(space.maxMacs, unit))} ${label}`;
  }
  if (!definition.totals) return `? ${label} (not elaborated)`;
  const errors = definition.layersWithErrors ?? 0;
  const at = errors > 0 ? '≥ ' : '';
  const note = errors > 0 ? ` (${errors} layer${errors === 1 ? '' : 's'} with errors)` : '';
  return `${at}${formatSI(inUnit(definition.totals.macs, unit))} ${label} · ${at}${formatSI(definition.totals.params)} params${note}`;
}

function contains(definition: DefinitionCost, line: number): boolean {
  return definition.range.start.line <= line && line <= definition.range.end.line;
}

/**
 * The item describes the network or space under the cursor, else the file's last one (in a
 * file of blocks that ends with the model, the model); the tooltip lists all of them.
 */
export function describeCostReport(report: CostReportResult | null | undefined, unit: CostUnit, cursorLine?: number): CostSummary | undefined {
  const definitions = report?.definitions ?? [];
  if (definitions.length === 0) return undefined;
  const main = (cursorLine === undefined ? undefined : definitions.find((d) => contains(d, cursorLine))) ?? definitions[definitions.length - 1]!;
  const icon = main.kind === 'space' ? '$(symbol-array)' : '$(pulse)';
  const rows = definitions.map((d) => `| ${d.kind} | \`${d.name}\` | ${describeDefinition(d, unit)} |`);
  return {
    name: main.name,
    text: `${icon} ${describeDefinition(main, unit)}`,
    tooltip: ['**NAS Studio** — costs in this file', '', '| | | |', '|---|---|---|', ...rows].join('\n'),
  };
}
