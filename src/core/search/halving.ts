/**
 * Successive halving as a wrapper around any evaluator with fidelities, asynchronous so that
 * it works under any strategy, one candidate at a time (ASHA: Li, Jamieson, Rostamizadeh et
 * al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020): a candidate is
 * evaluated at the lowest fidelity and continues to the next only while its fitness is in the
 * top 1/eta of what that rung has seen, so unpromising candidates stop early (the progressive
 * early stopping of auxiliary-cell NAS, Nekrasov et al., CVPR 2019). The strategy is told the
 * result at the last fidelity reached.
 */
import type { Candidate, EvaluateOptions, Evaluation, Evaluator } from './types.js';

export interface HalvingResult {
  readonly evaluation: Evaluation;
  readonly rungs: { fidelity: number; fitness: number }[];
}

export class SuccessiveHalving {
  /** Fitness values seen at each rung, for the promotion rule. */
  private readonly seen: number[][];

  constructor(
    private readonly evaluator: Evaluator,
    private readonly fidelities: readonly number[],
    private readonly eta: number,
    private readonly fitnessOf: (e: Evaluation) => number,
  ) {
    this.seen = fidelities.map(() => []);
  }

  async evaluate(c: Candidate, signal: AbortSignal): Promise<HalvingResult> {
    const rungs: { fidelity: number; fitness: number }[] = [];
    let last: Evaluation | undefined;
    for (let r = 0; r < this.fidelities.length; r++) {
      const options: EvaluateOptions = { fidelity: this.fidelities[r]!, signal };
      const e = this.evaluator.evaluate(c, options);
      last = e instanceof Promise ? await e : e;
      const fitness = this.fitnessOf(last);
      rungs.push({ fidelity: this.fidelities[r]!, fitness });
      if (!this.promote(r, fitness)) break;
    }
    return { evaluation: last!, rungs };
  }

  /** Replays a recorded candidate's rungs into the promotion state (resume). */
  replay(rungs: readonly { fidelity: number; fitness: number }[]): void {
    rungs.forEach((x, i) => {
      const r = this.fidelities.indexOf(x.fidelity);
      if (r >= 0 && i < rungs.length) this.seen[r]!.push(x.fitness);
    });
  }

  /** Records the fitness at rung r and says whether the candidate continues. */
  private promote(r: number, fitness: number): boolean {
    const rung = this.seen[r]!;
    rung.push(fitness);
    if (r === this.fidelities.length - 1) return false;
    const better = rung.filter((x) => x > fitness).length;
    return better < Math.max(1, Math.floor(rung.length / this.eta));
  }
}
