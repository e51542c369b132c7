/**
 * Hard constraints on cost-model metrics (`constraint macs <= 300M`): an infeasible
 * architecture is never evaluated, and sampling and mutation draw from the feasible part.
 *
 * Sampling is by rejection (exactly uniform over the feasible part) while it accepts at least
 * one draw in REJECTION_TRIES. When the feasible part is tinier than that:
 * - spaces of at most ENUMERATE_LIMIT architectures with a cost table are enumerated once and
 *   sampled from the list of feasible ones (exactly uniform);
 * - otherwise a random walk inside the feasible part (Metropolis with a symmetric one-decision
 *   proposal, so its stationary distribution is uniform over the reachable feasible
 *   architectures), started from the cheapest architecture found by coordinate descent; the
 *   samples are then only approximately uniform, which `note` says.
 * An empty feasible part is an error before the search starts, naming the cheapest architecture's cost.
 */
import { Rng } from '../util/random.js';
import { formatSI } from '../../shared/format-number.js';
import type { ArchitectureSpace } from './architecture-space.js';
import type { Arch, ConstraintSpec, CostMetrics } from './types.js';
import { COST_METRICS } from './vocabulary.js';

export const REJECTION_TRIES = 2000;
export const ENUMERATE_LIMIT = 200_000;
const WALK_STEPS_PER_KEY = 4;

export class SearchSetupError extends Error {}

export function satisfies(value: number, c: ConstraintSpec): boolean {
  switch (c.op) {
    case '<=':
      return value <= c.value;
    case '<':
      return value < c.value;
    case '>=':
      return value >= c.value;
    case '>':
      return value > c.value;
    case '==':
      return value === c.value;
    case '!=':
      return value !== c.value;
  }
}

export function formatConstraint(c: ConstraintSpec): string {
  return `${c.metric} ${c.op} ${COST_METRICS.has(c.metric) ? formatSI(c.value, 4) : c.value}`;
}

export class FeasibleSampler {
  /** How feasible architectures are drawn: 'all' (no cost constraint), 'rejection', 'enumerated' or 'walk'. */
  readonly method: 'all' | 'rejection' | 'enumerated' | 'walk';
  readonly note: string | undefined;
  private readonly constraints: ConstraintSpec[];
  private enumerated: Int32Array[] | undefined;
  private walkState: Arch | undefined;

  constructor(
    readonly space: ArchitectureSpace,
    constraints: readonly ConstraintSpec[],
    seed: number,
  ) {
    this.constraints = constraints.filter((c) => COST_METRICS.has(c.metric));
    if (this.constraints.length === 0) {
      this.method = 'all';
      return;
    }
    // The probe has its own generator, so the strategy's draws do not depend on it.
    const probe = new Rng(seed ^ 0x5eed);
    for (let i = 0; i < REJECTION_TRIES; i++) {
      if (this.feasible(space.sample(probe))) {
        this.method = 'rejection';
        return;
      }
    }
    const size = space.structural ? Infinity : space.keys.reduce((p, k) => p * k.options, 1);
    if (space.table && size <= ENUMERATE_LIMIT) {
      this.enumerated = this.enumerate();
      if (this.enumerated.length === 0) throw new SearchSetupError(this.emptyMessage(this.cheapest()));
      this.method = 'enumerated';
      this.note = `${this.enumerated.length} feasible architectures of ${size}: sampled from their list`;
      return;
    }
    const start = this.cheapest();
    if (!this.feasible(start)) throw new SearchSetupError(this.emptyMessage(start));
    this.walkState = start;
    this.method = 'walk';
    this.note = `fewer than 1 in ${REJECTION_TRIES} architectures is feasible: samples come from a random walk inside the feasible part (approximately uniform)`;
  }

  feasible(arch: Arch): boolean {
    if (this.constraints.length === 0) return true;
    const c = this.space.costs(arch);
    return this.constraints.every((k) => satisfies(c[k.metric as keyof CostMetrics], k));
  }

  /** A feasible architecture, uniform over the feasible part (see the file comment). */
  sample(rng: Rng): Arch {
    switch (this.method) {
      case 'all':
        return this.space.sample(rng);
      case 'rejection':
        for (;;) {
          const a = this.space.sample(rng);
          if (this.feasible(a)) return a;
        }
      case 'enumerated': {
        const list = this.enumerated!;
        return this.space.fromGenes(list[rng.int(list.length)]!);
      }
      case 'walk': {
        let a = this.walkState!;
        const steps = WALK_STEPS_PER_KEY * Math.max(1, this.space.dimension);
        for (let s = 0; s < steps; s++) {
          const b = this.space.mutate(a, rng);
          if (this.feasible(b)) a = b;
        }
        this.walkState = a;
        return a;
      }
    }
  }

  /**
   * A feasible one-decision mutation of `arch`: random mutations first, then every neighbour
   * in random order; a fresh feasible sample when no neighbour is feasible.
   */
  mutate(arch: Arch, rng: Rng): Arch {
    if (this.constraints.length === 0) return this.space.mutate(arch, rng);
    for (let i = 0; i < 8; i++) {
      const b = this.space.mutate(arch, rng);
      if (this.feasible(b)) return b;
    }
    const ns = this.space.neighbours(arch, rng);
    for (let i = ns.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [ns[i], ns[j]] = [ns[j]!, ns[i]!];
    }
    return ns.find((b) => this.feasible(b)) ?? this.sample(rng);
  }

  private enumerate(): Int32Array[] {
    const keys = this.space.keys;
    const out: Int32Array[] = [];
    const genes = new Int32Array(keys.length);
    for (;;) {
      const a = this.space.fromGenes(genes.slice());
      if (this.feasible(a)) out.push(a.genes);
      let j = keys.length - 1;
      while (j >= 0 && genes[j] === keys[j]!.options - 1) genes[j--] = 0;
      if (j < 0) return out;
      genes[j]!++;
    }
  }

  /** Coordinate descent on the total violation, from the first-options architecture. */
  private cheapest(): Arch {
    const violation = (a: Arch) => {
      const c = this.space.costs(a);
      let v = 0;
      for (const k of this.constraints) {
        const x = c[k.metric as keyof CostMetrics];
        if (!satisfies(x, k)) v += Math.abs(x - k.value) / Math.max(1, Math.abs(k.value));
      }
      return v;
    };
    let best = this.space.fromGenes(new Int32Array(this.space.dimension));
    let bestV = violation(best);
    // Sweeps set each decision to its least violating option: exact for one constraint on a separable cost.
    for (let pass = 0; pass < 8 && bestV > 0; pass++) {
      let improved = false;
      for (const i of this.space.mutableKeys(best)) {
        for (let o = 0; o < this.space.keys[i]!.options; o++) {
          if (o === best.genes[i]) continue;
          const n = this.space.withGene(best, i, o);
          const v = violation(n);
          if (v < bestV) {
            best = n;
            bestV = v;
            improved = true;
          }
        }
      }
      if (!improved) break;
    }
    return best;
  }

  private emptyMessage(closest: Arch): string {
    const cs = this.constraints.map(formatConstraint).join(' and ');
    const c = this.space.costs(closest);
    const figures = this.constraints.map((k) => `${k.metric} ${formatSI(c[k.metric as keyof CostMetrics], 4)}`).join(', ');
    return `no architecture of the space satisfies ${cs} (the closest found has ${figures})`;
  }
}
