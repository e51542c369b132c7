/**
 * The figures of a network and of a space, in the one form that every side serializes: the
 * language server's `nas/costReport` (lsp-extensions.ts), the space-figures worker
 * (space-stats-worker.ts) and the CLI's `nas cost --json` (src/cli/json-types.ts). The core
 * computes them (src/core/semantics/figures.ts). Costs are plain numbers: params, MACs
 * (FLOPs = 2 × MACs) and activations (docs/cost-model.md).
 */

/** C × H × W of one image (batch excluded); vectors are C × 1 × 1. */
export type ShapeTuple = [c: number, h: number, w: number];

export interface CostTotals {
  params: number;
  macs: number;
  /** Output elements of convolutions and fully connected layers (pycls' `acts`). */
  acts: number;
}

/** A network's input and output shapes and totals; each absent when elaboration did not get that far. */
export interface NetworkFigures {
  input?: ShapeTuple;
  output?: ShapeTuple;
  /** Totals with every choice at its first option. */
  totals?: CostTotals;
}

/** How a space's min/max were found (src/core/semantics/space.ts). */
export type SpaceMethod = 'separable' | 'enumeration' | 'dynamic-programming' | 'search';

/** A space's size and cost range. */
export interface SpaceFigures {
  /** Exact number of architectures, as a decimal string (it can exceed 2^53). */
  size: string;
  log10Size: number;
  minParams: number;
  maxParams: number;
  minMacs: number;
  maxMacs: number;
  /** True when min/max are proven extremes, false when they are the best found by search. */
  exact: boolean;
  method: SpaceMethod;
}
