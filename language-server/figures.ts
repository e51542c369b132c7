/** How costs are written in hints, hovers and lenses. */
import { formatShape, type Shape } from '../src/core/semantics/shape.js';

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
