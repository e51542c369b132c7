/**
 * The min and max params and MACs of spaces whose cost is not separable and that are too
 * large to enumerate (space.ts decides which applies): an exact dynamic program over the
 * network's statements for layer-wise spaces, else a coordinate search that keeps the costs of
 * real architectures it met (achievable figures, not proven extremes).
 */
import type * as ast from '../language/syntax/generated/ast.js';
import type { ElaborationResult } from './evaluator/index.js';
import type { AnalysisBudget } from './analysis-budget.js';
import type { Totals } from './graph.js';
import { Rng } from '../util/random.js';

/** Elaborations the coordinate search may spend (about 10 s for NASNet's 490-node network). */
export const SEARCH_RUN_LIMIT = 1_200;

/** The extremes of params and MACs over the architectures seen. */
export class Extremes {
  minParams = Infinity;
  maxParams = -Infinity;
  minMacs = Infinity;
  maxMacs = -Infinity;
  add(t: Totals): void {
    this.minParams = Math.min(this.minParams, t.params);
    this.maxParams = Math.max(this.maxParams, t.params);
    this.minMacs = Math.min(this.minMacs, t.macs);
    this.maxMacs = Math.max(this.maxMacs, t.macs);
  }
  merge(o: Extremes): void {
    this.minParams = Math.min(this.minParams, o.minParams);
    this.maxParams = Math.max(this.maxParams, o.maxParams);
    this.minMacs = Math.min(this.minMacs, o.minMacs);
    this.maxMacs = Math.max(this.maxMacs, o.maxMacs);
  }
  result() {
    return { minParams: this.minParams, maxParams: this.maxParams, minMacs: this.minMacs, maxMacs: this.maxMacs };
  }
}

/**
 * Exact extremes by dynamic programming over the network's top-level statements, for
 * layer-wise spaces (MnasNet, SPOS with width choices): when every choice is decided and used
 * within one statement, and each statement reads only the last two outputs of the sequence,
 * a statement's cost depends only on those shapes and its own choices. The DP state is those
 * shapes; each state keeps one witness prefix of decisions and the extremes of the cost so
 * far. Returns undefined when the structure does not allow it or past `runLimit` elaborations.
 */
export function sequentialExtremes(def: ast.Definition, runLimit: number, budget: AnalysisBudget): Extremes | undefined {
  interface State {
    prefix: Map<string, number>;
    ext: Extremes;
  }
  const first = new Extremes();
  first.add({ params: 0, macs: 0, acts: 0 });
  let states = new Map<string, State>([['', { prefix: new Map(), ext: first }]]);
  let runs = 0;
  if (budget.exhausted) return undefined;
  const steps = budget.run().steps.length;
  for (let i = 0; i < steps; i++) {
    const next = new Map<string, State>();
    for (const st of states.values()) {
      const local = new Map<string, number>();
      for (;;) {
        if (++runs > runLimit || budget.exhausted) return undefined;
        const r = budget.run(new Map([...st.prefix, ...local]));
        const step = r.steps[i];
        if (!r.output || !step || r.steps.length !== steps || r.crossStepKeys.size > 0) return undefined;
        // Markov: the statement reads only its own nodes and the previous statement's sequence.
        const allowed = new Set((i > 0 ? r.steps[i - 1]!.history : []).map((t) => t.node));
        let cost = { params: 0, macs: 0, acts: 0 };
        for (let n = step.nodeFirst; n < step.nodeEnd; n++) {
          const node = r.graph.nodes[n]!;
          if (node.inputs.some((x) => x < step.nodeFirst && !allowed.has(x))) return undefined;
          cost = { params: cost.params + node.params, macs: cost.macs + node.macs, acts: cost.acts + node.acts };
        }
        const key = step.history.map((t) => `${t.shape.c}x${t.shape.h}x${t.shape.w}`).join('|');
        let target = next.get(key);
        if (!target) {
          const prefix = new Map(st.prefix);
          for (let j = step.traceFirst; j < step.traceEnd; j++) prefix.set(r.trace[j]!.key, r.trace[j]!.taken);
          target = { prefix, ext: new Extremes() };
          next.set(key, target);
        }
        const e = target.ext;
        e.minParams = Math.min(e.minParams, st.ext.minParams + cost.params);
        e.maxParams = Math.max(e.maxParams, st.ext.maxParams + cost.params);
        e.minMacs = Math.min(e.minMacs, st.ext.minMacs + cost.macs);
        e.maxMacs = Math.max(e.maxMacs, st.ext.maxMacs + cost.macs);
        // Odometer over the decisions made inside this statement.
        let j = step.traceEnd - 1;
        while (j >= step.traceFirst && r.trace[j]!.taken === r.trace[j]!.options - 1) j--;
        if (j < step.traceFirst) break;
        for (const t of r.trace.slice(j, step.traceEnd)) local.delete(t.key);
        local.set(r.trace[j]!.key, r.trace[j]!.taken + 1);
      }
    }
    states = next;
  }
  const out = new Extremes();
  for (const st of states.values()) {
    out.minParams = Math.min(out.minParams, st.ext.minParams);
    out.maxParams = Math.max(out.maxParams, st.ext.maxParams);
    out.minMacs = Math.min(out.minMacs, st.ext.minMacs);
    out.maxMacs = Math.max(out.maxMacs, st.ext.maxMacs);
  }
  return out;
}

/**
 * For spaces that are neither separable nor small: greedy coordinate descent/ascent on each
 * metric from the all-first, all-last and a few random architectures. The values are costs of
 * real architectures (achievable), not proven extremes.
 */
export function coordinateSearch(
  def: ast.Definition,
  base: ElaborationResult,
  keys: readonly { key: string; options: number }[],
  seed: number,
  budget: AnalysisBudget,
  found: Extremes,
  runLimit = SEARCH_RUN_LIMIT,
): Extremes {
  const ext = found;
  const rng = new Rng(seed);
  // A run and work budget (not a time budget) keeps the figures reproducible for a seed.
  let runs = 0;
  const run = (assign: Map<string, number>) => {
    // Spent: every later run is counted as done, so each loop below ends at once.
    if (budget.exhausted) runs = runLimit;
    runs++;
    return budget.exhausted ? base : budget.run(assign);
  };
  const metrics: Array<[keyof Totals, 1 | -1]> = [
    ['params', 1],
    ['params', -1],
    ['macs', 1],
    ['macs', -1],
  ];
  for (const [mi, [metric, sign]] of metrics.entries()) {
    // Each metric gets an equal share of the budget, starting from the end of the option
    // lists that usually holds its extreme (options are often ordered small to large).
    const share = (runLimit * (mi + 1)) / metrics.length;
    const first = new Map<string, number>();
    const last = new Map(keys.map((k) => [k.key, k.options - 1]));
    const starts: Map<string, number>[] = sign > 0 ? [first, last] : [last, first];
    for (let s = 0; s < 2; s++) starts.push(new Map(keys.map((k) => [k.key, rng.int(k.options)])));
    for (const start of starts) {
      if (runs >= share) break;
      let assign = new Map(start);
      let best = run(assign);
      if (best.output) ext.add(best.graph.totals());
      let improved = true;
      for (let pass = 0; improved && pass < 4 && runs < share; pass++) {
        improved = false;
        for (const t of [...best.trace]) {
          for (let o = 0; o < t.options && runs < share; o++) {
            if (o === (assign.get(t.key) ?? 0)) continue;
            const trial = new Map(assign).set(t.key, o);
            const r = run(trial);
            if (!r.output) continue;
            ext.add(r.graph.totals());
            if (sign * (r.graph.totals()[metric] - best.graph.totals()[metric]) < 0) {
              best = r;
              assign = trial;
              improved = true;
            }
          }
        }
      }
    }
  }
  return ext;
}
