/** How costs are written in hints, hovers and lenses. */
import { formatShape, type Shape } from '../src/core/semantics/shape.js';
import type { ModelTotals } from '../src/core/semantics/figures.js';
import { formatSI } from '../src/shared/format-number.js';

export type CostUnit = 'macs' | 'flops';

/** FLOPs count a multiply-accumulate as two operations (docs/cost-model.md). */
export function costOf(macs: number, unit: CostUnit): number {
  return unit === 'flops' ? 2 * macs : macs;
}

export function unitLabel(unit: CostUnit): string {
  return unit === 'flops' ? 'FLOPs' : 'MACs';
}

export function formatShapeText(shape: Shape): string {
  return formatShape(shape);
}

/** 15625 → "15,625"; huge sizes keep their digits grouped too. */
export function groupDigits(n: bigint | number): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A space's size (a decimal string, src/protocol/figures.ts) in words: exact up to 15 digits, then as a power of ten. */
export function formatSpaceSize(sizeText: string, log10Size: number): string {
  const size = BigInt(sizeText);
  if (size < 10n ** 15n) return `${groupDigits(size)} arch${size === 1n ? '' : 's'}`;
  return `≈10^${log10Size.toFixed(1)} archs`;
}

/**
 * A network's totals in words, the same everywhere in the editor (src/core/semantics/figures.ts,
 * `modelTotals`): `5.47k params · 5.16M MACs`, or, when layers with errors are left out of the
 * sum, `≥ 5.47k params · ≥ 5.16M MACs (2 layers with errors)`.
 */
export function totalsText(m: ModelTotals, unit: CostUnit, withActs = false): string {
  const at = m.layersWithErrors > 0 ? '≥ ' : '';
  const parts = [`${at}${formatSI(m.totals.params)} params`, `${at}${formatSI(costOf(m.totals.macs, unit))} ${unitLabel(unit)}`];
  if (withActs) parts.push(`${at}${formatSI(m.totals.acts)} acts`);
  return `${parts.join(' · ')}${errorsNote(m.layersWithErrors)}`;
}

/** ` (2 layers with errors)`, or nothing. */
export function errorsNote(layersWithErrors: number): string {
  return layersWithErrors > 0 ? ` (${layersWithErrors} layer${layersWithErrors === 1 ? '' : 's'} with errors)` : '';
}

/** What the figures leave out, for tooltips and hovers. */
export function errorsExplanation(layersWithErrors: number): string {
  return layersWithErrors > 0
    ? `${layersWithErrors} statement${layersWithErrors === 1 ? '' : 's'} of this definition did not elaborate (see Problems): ${layersWithErrors === 1 ? 'its' : 'their'} layers are not counted; the figures sum the layers that elaborated.`
    : '';
}
