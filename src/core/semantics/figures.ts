/**
 * A network's and a space's figures in the form every front end serializes
 * (src/protocol/figures.ts): the CLI's `nas cost`, the language server's cost report and its
 * space-figures worker.
 */
import type { AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import type { NetworkFigures, ShapeTuple, SpaceFigures } from '../../protocol/figures.js';
import type { ElaborationResult } from './evaluator/index.js';
import type { Totals } from './graph.js';
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

/**
 * A network's totals as the editor shows them (code lens, hints, hover, status bar): the sum of
 * the layers of its statements that elaborated without error. `layersWithErrors` counts the
 * statements of its body (those in `for` loops included) whose layers failed or read a failed
 * input; their nodes are left out, so a figure with `layersWithErrors > 0` is incomplete and
 * says so. Undefined when there is no output at all.
 */
export interface ModelTotals {
  readonly totals: Totals;
  readonly layersWithErrors: number;
}

export function modelTotals(def: ast.Definition, result: ElaborationResult): ModelTotals | undefined {
  if (!result.output) return undefined;
  const own = new Set<AstNode>();
  const collect = (statements: readonly ast.Statement[]): void => {
    for (const s of statements) {
      if (s.$type === 'ForStmt') collect(s.body);
      else own.add(s);
    }
  };
  collect(def.body);
  const failed = new Set<AstNode>();
  const totals = { ...result.graph.totals() };
  result.statements.forEachRun((stmt, first, end, errors) => {
    if (errors === 0 || !own.has(stmt)) return;
    failed.add(stmt);
    const left = result.graph.totalsOf(first, end);
    totals.params -= left.params;
    totals.macs -= left.macs;
    totals.acts -= left.acts;
  });
  return { totals, layersWithErrors: failed.size };
}
