/**
 * Tournament evolution (Real, Aggarwal, Huang & Le, "Regularized Evolution for Image
 * Classifier Architecture Search", AAAI 2019): a population of P; each step samples S members
 * uniformly with replacement (as the NAS-Bench-201 reference code), mutates the fittest in one
 * decision and adds the child. Regularized (aging) evolution then removes the oldest member;
 * the non-aging variant (Real et al., "Large-Scale Evolution of Image Classifiers", ICML 2017)
 * removes the worst. The first P members are random feasible architectures, or with
 * `warmup = N` the P best of N by a free cost-model proxy (context.ts warmStart).
 */
import type { Arch, Observation, Strategy } from '../types.js';
import { numberSetting, warmStart, type StrategyContext } from './context.js';

interface Member {
  readonly arch: Arch;
  readonly fitness: number;
}

export class Evolution implements Strategy {
  private readonly population: Member[] = [];
  private readonly size: number;
  private readonly sample: number;
  private readonly initial: Arch[];
  private asked = 0;

  constructor(
    private readonly ctx: StrategyContext,
    private readonly aging: boolean,
  ) {
    this.size = numberSetting(ctx, 'population', 10);
    this.sample = Math.min(this.size, numberSetting(ctx, 'sample', 3));
    this.initial = warmStart(ctx, this.size);
  }

  ask(): Arch[] {
    if (this.asked < this.size) {
      const a = this.initial[this.asked] ?? this.ctx.feasible.sample(this.ctx.rng);
      this.asked++;
      return [a];
    }
    const rng = this.ctx.rng;
    if (this.population.length === 0) return [this.ctx.feasible.sample(rng)];
    let parent = this.population[rng.int(this.population.length)]!;
    for (let i = 1; i < this.sample; i++) {
      const c = this.population[rng.int(this.population.length)]!;
      if (c.fitness > parent.fitness) parent = c;
    }
    return [this.ctx.feasible.mutate(parent.arch, rng)];
  }

  /** The initial population is drawn without looking at results. */
  blindNext(): boolean {
    return this.asked < this.size;
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      this.population.push({ arch: o.arch, fitness: o.fitness });
      if (this.population.length <= this.size) continue;
      if (this.aging) this.population.shift();
      else {
        let worst = 0;
        for (let i = 1; i < this.population.length; i++) if (this.population[i]!.fitness < this.population[worst]!.fitness) worst = i;
        this.population.splice(worst, 1);
      }
    }
  }
}
