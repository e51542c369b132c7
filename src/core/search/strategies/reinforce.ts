/**
 * A REINFORCE controller (Williams 1992) as in NAS with reinforcement learning (Zoph & Le,
 * ICLR 2017) and ENAS (Pham et al., ICML 2018), with a factorised policy: one softmax per
 * decision, trained on the reward (the fitness) minus an exponential moving-average baseline,
 * plus an entropy bonus. The LSTM controller of those papers conditions each decision on the
 * previous ones; a factorised policy is the usual simplification on tabular benchmarks (as
 * the REINFORCE baseline of NAS-Bench-201). Infeasible samples are redrawn, never evaluated.
 */
import type { Arch, Observation, Strategy } from '../types.js';
import { numberSetting, type StrategyContext } from './context.js';

const REDRAWS = 100;

export class Reinforce implements Strategy {
  private readonly logits: Float64Array[] = [];
  private baseline: number | undefined;
  private readonly lr: number;
  private readonly decay: number;
  private readonly entropy: number;

  constructor(private readonly ctx: StrategyContext) {
    this.lr = numberSetting(ctx, 'lr', 0.1);
    this.decay = numberSetting(ctx, 'baseline', 0.9);
    this.entropy = numberSetting(ctx, 'entropy', 0.0001);
  }

  ask(): Arch[] {
    for (let i = 0; i < REDRAWS; i++) {
      const a = this.draw();
      if (this.ctx.feasible.feasible(a)) return [a];
    }
    return [this.ctx.feasible.sample(this.ctx.rng)];
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      if (!Number.isFinite(o.fitness)) continue; // failed: no reward to learn from
      const r = o.fitness;
      this.baseline = this.baseline === undefined ? r : this.decay * this.baseline + (1 - this.decay) * r;
      const advantage = r - this.baseline;
      o.arch.genes.forEach((taken, k) => {
        if (taken < 0) return;
        const l = this.logitsOf(k);
        const p = softmax(l);
        // d/dl log p(taken) = onehot - p; the entropy gradient is -p (log p + H).
        let h = 0;
        for (const x of p) if (x > 0) h -= x * Math.log(x);
        for (let j = 0; j < l.length; j++) {
          const grad = ((j === taken ? 1 : 0) - p[j]!) * advantage - this.entropy * p[j]! * (Math.log(p[j]!) + h);
          l[j]! += this.lr * grad;
        }
      });
    }
  }

  private draw(): Arch {
    const { space, rng } = this.ctx;
    const genes = new Int32Array(space.dimension);
    for (let k = 0; k < genes.length; k++) genes[k] = sampleFrom(softmax(this.logitsOf(k)), rng.next());
    return space.fromGenes(genes, rng);
  }

  private logitsOf(k: number): Float64Array {
    while (this.logits.length <= k) this.logits.push(new Float64Array(this.ctx.space.keys[this.logits.length]!.options));
    return this.logits[k]!;
  }
}

function softmax(l: Float64Array): Float64Array {
  let max = -Infinity;
  for (const x of l) max = Math.max(max, x);
  const out = new Float64Array(l.length);
  let sum = 0;
  for (let i = 0; i < l.length; i++) sum += out[i] = Math.exp(l[i]! - max);
  for (let i = 0; i < l.length; i++) out[i]! /= sum;
  return out;
}

function sampleFrom(p: Float64Array, u: number): number {
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += p[i]!;
    if (u < acc) return i;
  }
  return p.length - 1;
}
