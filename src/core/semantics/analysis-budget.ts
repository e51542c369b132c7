/**
 * The work a space analysis may do. Each analysis (size and cost range, a sampler's weights, a
 * cost table) runs the elaborator many times: once per option of every choice, and more to
 * enumerate, to run the dynamic program or to search. One elaboration is bounded
 * (evaluator/errors.ts); the number of them is not, and a single choice over a million values
 * or a thousand repeated blocks of choices would run for minutes. The budget counts the
 * evaluation steps of every run of one analysis and stops it at ANALYSIS_WORK_LIMIT, which the
 * largest reference space (NASNet's, about 12 million steps) stays within.
 */
import type * as ast from '../language/syntax/generated/ast.js';
import { elaborate, type Decider, type ElaborationResult } from './evaluator/index.js';

export type Decisions = ReadonlyMap<string, number>;

/** Evaluation steps one analysis may spend over all its elaborations (about ten seconds' work). */
export const ANALYSIS_WORK_LIMIT = 15_000_000;

/** Runs the elaborator with `decisions`, taking option 0 for keys not in it. */
export function elaborateWith(def: ast.Definition, decisions: Decisions = new Map()): ElaborationResult {
  const decider: Decider = { decide: (key) => decisions.get(key) ?? 0 };
  return elaborate(def, { decider });
}

/** The budget ran out; the analysis that needs every run it asked for cannot go on. */
export class BudgetExhausted extends Error {
  constructor(readonly spent: number) {
    super(`more than ${spent.toLocaleString('en-US')} evaluation steps`);
  }
}

export class AnalysisBudget {
  /** Evaluation steps spent so far (each run counts at least one). */
  spent = 0;
  runs = 0;

  constructor(
    readonly def: ast.Definition,
    readonly limit = ANALYSIS_WORK_LIMIT,
  ) {}

  get exhausted(): boolean {
    return this.spent >= this.limit;
  }

  /** A budget of `fraction` of what is left, for one stage; `spend` it here when done. */
  share(fraction: number): AnalysisBudget {
    return new AnalysisBudget(this.def, Math.floor(Math.max(0, this.limit - this.spent) * fraction));
  }

  spend(stage: AnalysisBudget): void {
    this.spent += stage.spent;
    this.runs += stage.runs;
  }

  /** Elaborates with `decisions`; throws BudgetExhausted once the budget is spent. */
  run(decisions?: Decisions): ElaborationResult {
    if (this.exhausted) throw new BudgetExhausted(this.spent);
    const r = elaborateWith(this.def, decisions);
    this.spent += Math.max(1, r.work);
    this.runs++;
    return r;
  }
}
