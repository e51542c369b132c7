/**
 * From a checked search block to what runs: the space's architecture view, the evaluator and
 * the reference point, built once and shared by every seed of a `--repeat`.
 */
import { ArchitectureSpace } from './architecture-space.js';
import { createEvaluator } from './evaluators/registry.js';
import { formatConstraint } from './feasible.js';
import type { SearchSpec } from './spec.js';
import type { Evaluator, EvaluatorContext, TorchRuntime } from './types.js';
import { COST_METRICS } from './vocabulary.js';

export interface PreparedSearch {
  readonly spec: SearchSpec;
  readonly space: ArchitectureSpace;
  readonly evaluator: Evaluator;
  /** Number of architectures (decimal), or `unknown` for spaces with structural choices. */
  readonly size: string;
  readonly notes: readonly string[];
  /** The hypervolume reference point in the objectives' units; undefined entries: the worst value seen. */
  readonly reference: readonly (number | undefined)[];
}

export function prepareSearch(spec: SearchSpec, options: { log?: (line: string) => void; torch?: TorchRuntime } = {}): PreparedSearch {
  const space = new ArchitectureSpace(spec.space);
  const context: EvaluatorContext = {
    wanted: new Set([...spec.objectives.map((o) => o.metric), ...spec.constraints.map((c) => c.metric)]),
    log: options.log ?? (() => {}),
    constraints: spec.constraints,
    ...(options.torch ? { torch: options.torch } : {}),
  };
  const evaluator = createEvaluator(spec.evaluator.name, space, spec.evaluator.settings, context);
  const notes: string[] = [];
  if (space.tableNote) notes.push(space.tableNote);
  notes.push(...((evaluator as { notes?: string[] }).notes ?? []));
  const size = space.structural ? 'unknown' : space.keys.reduce((p, k) => p * BigInt(k.options), 1n).toString();
  return { spec, space, evaluator, size, notes, reference: referencePoint(spec, space) };
}

/**
 * Per objective: the strategy's `reference` setting; else the worst value it can take when
 * that is known (0 % accuracy, 100 % error, a cost metric's maximum over the space for
 * separable spaces); else undefined, and the run uses the worst value it saw.
 */
function referencePoint(spec: SearchSpec, space: ArchitectureSpace): (number | undefined)[] {
  const given = spec.strategy.settings['reference'];
  if (Array.isArray(given) && given.length === spec.objectives.length) return [...given];
  return spec.objectives.map((o) => {
    if (o.metric === 'accuracy' && o.direction === 'maximize') return 0;
    if (o.metric === 'error' && o.direction === 'minimize') return 100;
    if (COST_METRICS.has(o.metric) && o.direction === 'minimize' && space.table) {
      const field = o.metric === 'activations' ? 'acts' : o.metric === 'params' ? 'params' : 'macs';
      const max = space.table.costs.reduce((s, opts) => s + Math.max(...opts.map((t) => t[field])), space.table.free[field]);
      return o.metric === 'flops' ? 2 * max : max;
    }
    return undefined;
  });
}

export function describeConstraints(spec: SearchSpec): string[] {
  return spec.constraints.map(formatConstraint);
}
