/**
 * Strategies without a model: random search (uniform over the feasible part), grid (every
 * architecture in decision order) and local search (best-improvement hill climbing over
 * one-decision neighbours with random restarts, as White, Nolen, Ravi & Savani, "Exploring
 * the Loss Landscape in Neural Architecture Search", UAI 2021).
 */
import type { Arch, Observation, Strategy } from '../types.js';
import { shuffle, warmStart, type StrategyContext } from './context.js';

export class RandomSearch implements Strategy {
  constructor(private readonly ctx: StrategyContext) {}

  ask(): Arch[] {
    return [this.ctx.feasible.sample(this.ctx.rng)];
  }

  tell(): void {}
}

/** Every feasible architecture once, in decision-tree order (the last decision advances fastest). */
export class GridSearch implements Strategy {
  private next: Arch | undefined;
  private started = false;

  constructor(private readonly ctx: StrategyContext) {}

  ask(): Arch[] {
    const space = this.ctx.space;
    for (;;) {
      if (!this.started) {
        this.started = true;
        this.next = space.fromGenes(new Int32Array(space.dimension));
      } else if (this.next) {
        this.next = this.advance(this.next);
      }
      if (!this.next) return [];
      if (this.ctx.feasible.feasible(this.next)) return [this.next];
    }
  }

  tell(): void {}

  /** The odometer over the architecture's decisions in decision order (semantics/space.ts enumerateArchitectures). */
  private advance(a: Arch): Arch | undefined {
    const space = this.ctx.space;
    const order = decisionOrder(
      a,
      space.keys.map((k) => k.key),
    );
    for (let j = order.length - 1; j >= 0; j--) {
      const i = order[j]!;
      if (a.genes[i]! + 1 < space.keys[i]!.options) {
        const genes = new Int32Array(a.genes.length).fill(-1);
        for (let t = 0; t < j; t++) genes[order[t]!] = a.genes[order[t]!]!;
        genes[i] = a.genes[i]! + 1;
        // Decisions after j restart at their first option (structural spaces fill them with 0).
        if (!space.structural) for (let t = j + 1; t < order.length; t++) genes[order[t]!] = 0;
        return space.fromGenes(genes);
      }
    }
    return undefined;
  }
}

/** Key indices of an architecture's reached decisions, in the order its encoding lists them. */
function decisionOrder(a: Arch, keys: readonly string[]): number[] {
  if (!a.encoding) return [];
  const index = new Map(keys.map((k, i) => [k, i]));
  return a.encoding.split(';').map((p) => index.get(p.slice(0, p.lastIndexOf('=')))!);
}

export class LocalSearch implements Strategy {
  private current: { arch: Arch; fitness: number } | undefined;
  private pending: 'start' | 'neighbours' = 'start';
  private starts: Arch[];

  constructor(private readonly ctx: StrategyContext) {
    // With a warm-up, restarts begin from the best-ranked architectures of the pool.
    this.starts = warmStart(ctx, Math.max(1, Math.ceil(ctx.budget / 10)));
  }

  ask(): Arch[] {
    if (this.pending === 'start' || !this.current) {
      this.pending = 'start';
      return [this.starts.shift() ?? this.ctx.feasible.sample(this.ctx.rng)];
    }
    const feasible = this.ctx.space.neighbours(this.current.arch, this.ctx.rng).filter((n) => this.ctx.feasible.feasible(n));
    if (feasible.length > 0) return shuffle(feasible, this.ctx.rng);
    this.pending = 'start';
    return [this.starts.shift() ?? this.ctx.feasible.sample(this.ctx.rng)];
  }

  tell(obs: readonly Observation[]): void {
    if (this.pending === 'start') {
      this.current = { arch: obs[0]!.arch, fitness: obs[0]!.fitness };
      this.pending = 'neighbours';
      return;
    }
    let best: Observation | undefined;
    for (const o of obs) if (!best || o.fitness > best.fitness) best = o;
    if (best && best.fitness > this.current!.fitness) this.current = { arch: best.arch, fitness: best.fitness };
    else this.pending = 'start'; // a local optimum: restart
  }
}
