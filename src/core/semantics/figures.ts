/**
 * A network's and a space's figures in the form every front end serializes
 * (src/protocol/figures.ts): the CLI's `nas cost`, the language server's cost report and its
 * space-figures worker.
 */
import type { NetworkFigures, ShapeTuple, SpaceFigures } from '../../protocol/figures.js';
import type { ElaborationResult } from './evaluator/index.js';
import type { Shape } from './shape.js';
import type { SpaceStats } from './space.js';

export function shapeTuple(s: Shape): ShapeTuple {
  return [s.c, s.h, s.w];
}

/** Input and output shapes and totals of an elaboration (the first-options one, for a space). */
export function networkFigures(result: ElaborationResult): NetworkFigures {
  return {
    input: result.input ? shapeTuple(result.input) : undefined,
    output: result.output ? shapeTuple(result.output.shape) : undefined,
    totals: result.output ? result.graph.totals() : undefined,
  };
}

/** A space's figures without its keys, the size as a decimal string. */
export function spaceFigures(s: SpaceStats): SpaceFigures {
  return {
    size: s.size.toString(),
    log10Size: s.log10Size,
    minParams: s.minParams,
    maxParams: s.maxParams,
    minMacs: s.minMacs,
    maxMacs: s.maxMacs,
    exact: s.exact,
    method: s.method,
  };
}
