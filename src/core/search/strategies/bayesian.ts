/**
 * BANANAS-style Bayesian optimisation (White, Neiswanger & Savani, "BANANAS: Bayesian
 * Optimization with Neural Architectures for Neural Architecture Search", AAAI 2021): after
 * `initial` random architectures, each step fits a bootstrap ensemble of predictors
 * (surrogate.ts: ridge regression on the one-hot encoding), scores `candidates` unevaluated
 * architectures (mutations of the best so far, as BANANAS's acquisition optimiser, plus random
 * samples) by independent Thompson sampling or an upper confidence bound, and evaluates the
 * best-scoring one.
 */
import { OneHot, RidgeEnsemble } from '../surrogate.js';
import type { Arch, Observation, Strategy } from '../types.js';
import { numberSetting, type StrategyContext } from './context.js';

export class Bayesian implements Strategy {
  private readonly history: { arch: Arch; fitness: number }[] = [];
  private readonly seen = new Set<string>();
  private readonly oneHot: OneHot;
  private readonly initial: number;
  private readonly ensemble: number;
  private readonly candidates: number;

  constructor(private readonly ctx: StrategyContext) {
    this.oneHot = new OneHot(ctx.space);
    this.initial = numberSetting(ctx, 'initial', 10);
    this.ensemble = numberSetting(ctx, 'ensemble', 5);
    this.candidates = numberSetting(ctx, 'candidates', 100);
  }

  private asked = 0;

  /** The first `initial` architectures are random: asked without looking at results. */
  blindNext(): boolean {
    return this.asked < this.initial;
  }

  ask(): Arch[] {
    this.asked++;
    const { feasible, rng } = this.ctx;
    const ok = this.history.filter((h) => Number.isFinite(h.fitness));
    if (this.history.length < this.initial || ok.length < 2) return [feasible.sample(rng)];
    const model = new RidgeEnsemble(this.oneHot.size, this.ensemble);
    model.fit(
      ok.map((h) => this.oneHot.active(h.arch)),
      ok.map((h) => h.fitness),
      rng,
    );
    // Candidates: mutations of the 10 best (as BANANAS's mutation-based acquisition optimiser), and random samples.
    const best = [...ok].sort((a, b) => b.fitness - a.fitness).slice(0, 10);
    const pool: Arch[] = [];
    const inPool = new Set<string>();
    for (let i = 0; i < 4 * this.candidates && pool.length < this.candidates; i++) {
      const a = i % 2 === 0 ? feasible.mutate(best[rng.int(best.length)]!.arch, rng) : feasible.sample(rng);
      if (this.seen.has(a.encoding) || inPool.has(a.encoding)) continue;
      inPool.add(a.encoding);
      pool.push(a);
    }
    if (pool.length === 0) return [feasible.sample(rng)];
    const ucb = this.ctx.settings['acquisition'] === 'ucb';
    let pick = pool[0]!;
    let bestScore = -Infinity;
    for (const a of pool) {
      const { mean, std } = model.predict(this.oneHot.active(a));
      const score = ucb ? mean + 2 * std : mean + std * gaussian(rng);
      if (score > bestScore) {
        bestScore = score;
        pick = a;
      }
    }
    return [pick];
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      this.seen.add(o.arch.encoding);
      this.history.push({ arch: o.arch, fitness: o.fitness });
    }
  }
}

/** A standard normal draw (Box-Muller). */
function gaussian(rng: { next(): number }): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
