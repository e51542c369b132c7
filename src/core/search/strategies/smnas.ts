/**
 * SM-NAS two-stage search (Yao, Xu, Li, Zhang, Liang, Li & Zhang, "SM-NAS: Structural-to-
 * Modular Neural Architecture Search for Object Detection", AAAI 2020).
 * - Structural stage: the decisions that pick modules or the input resolution (choices whose
 *   options are layers, blocks or lists) evolve as a Pareto search on the objectives (accuracy
 *   and a cost), the modules' inner settings fixed at their first option.
 * - Modular stage: from the structural front, the inner settings (choices among numbers:
 *   widths, depths) evolve, the structure kept from the parent.
 * Partial-order pruning (Li et al., "Partial Order Pruning", CVPR 2019, as SM-NAS uses it): a
 * candidate no larger in every decision than an evaluated architecture that missed the
 * accuracy bar is dropped without evaluation. "Larger" orders each decision's options by
 * the MACs they give when changed alone from the first-options architecture.
 */
import type * as ast from '../../language/syntax/generated/ast.js';
import { crowdingDistance, nondominatedSort, type Vector } from '../pareto.js';
import type { Arch, Observation, Strategy } from '../types.js';
import { COST_METRICS } from '../vocabulary.js';
import { numberSetting, type StrategyContext } from './context.js';

interface Member {
  readonly arch: Arch;
  readonly objectives: Vector;
  readonly quality: number;
}

const REDRAWS = 200;

export class SmNas implements Strategy {
  private readonly structural: number[] = [];
  private readonly modular: number[] = [];
  /** rank[k][o]: position of option o of key k when the key's options are ordered by MACs. */
  private readonly rank: number[][];
  private readonly evaluated: Member[] = [];
  private readonly seen = new Set<string>();
  private readonly size: number;
  private readonly stageOneBudget: number;
  private readonly qualityIsFirst: boolean;
  private pruned = 0;
  private asked = 0;

  constructor(private readonly ctx: StrategyContext) {
    const { space } = ctx;
    space.keys.forEach((k, i) => (numericChoice(k.site) ? this.modular : this.structural).push(i));
    const base = space.fromGenes(new Int32Array(space.dimension));
    this.rank = space.keys.map((k, i) => {
      const macs = Array.from({ length: k.options }, (_, o) => space.costs(space.withGene(base, i, o)).macs);
      const order = macs.map((_, o) => o).sort((a, b) => macs[a]! - macs[b]! || a - b);
      const r = new Array<number>(k.options);
      order.forEach((o, pos) => (r[o] = pos));
      return r;
    });
    this.size = numberSetting(ctx, 'population', 16);
    const fraction = numberSetting(ctx, 'structural', 0.5);
    this.stageOneBudget = this.modular.length === 0 ? ctx.budget : this.structural.length === 0 ? 0 : Math.round(fraction * ctx.budget);
    const first = ctx.objectives[0];
    this.qualityIsFirst = !!first && first.direction === 'maximize' && !COST_METRICS.has(first.metric);
  }

  ask(): Arch[] {
    const stageOne = this.asked < this.stageOneBudget;
    for (let attempt = 0; attempt < REDRAWS; attempt++) {
      // Past half the redraws, parents come from every evaluated architecture, not only the population.
      const a = stageOne ? this.structuralCandidate() : this.modularCandidate(attempt >= REDRAWS / 2);
      if (this.seen.has(a.encoding) || !this.ctx.feasible.feasible(a)) continue;
      if (this.dominatedByFailure(a)) {
        this.seen.add(a.encoding);
        this.pruned++;
        continue;
      }
      this.seen.add(a.encoding);
      this.asked++;
      return [a];
    }
    if (stageOne) {
      this.asked = this.stageOneBudget; // the structural stage has nothing new: move on
      return this.ask();
    }
    return [];
  }

  tell(obs: readonly Observation[]): void {
    for (const o of obs) {
      this.seen.add(o.arch.encoding);
      if (!o.objectives) continue;
      this.evaluated.push({ arch: o.arch, objectives: o.objectives, quality: this.qualityIsFirst ? -o.objectives[0]! : NaN });
    }
  }

  counters(): Record<string, number> {
    return { pruned: this.pruned };
  }

  // ------------------------------------------------------------------ stages

  private structuralCandidate(): Arch {
    const { space, rng } = this.ctx;
    if (this.evaluated.length < this.size) {
      const genes = new Int32Array(space.dimension);
      for (const k of this.structural) genes[k] = rng.int(space.keys[k]!.options);
      return space.fromGenes(genes, rng);
    }
    const pool = this.population();
    const a = this.tournament(pool);
    const b = this.tournament(pool);
    const genes = Int32Array.from(a.arch.genes);
    for (const k of this.structural) if (rng.next() < 0.5 && k < b.arch.genes.length) genes[k] = b.arch.genes[k]!;
    this.mutateOne(genes, this.structural);
    return space.fromGenes(genes, rng);
  }

  private modularCandidate(wide: boolean): Arch {
    const { space } = this.ctx;
    const pool = wide ? this.evaluated.map((member) => ({ member, rank: 0, crowding: 0 })) : this.population();
    if (pool.length === 0) return this.ctx.feasible.sample(this.ctx.rng);
    const genes = Int32Array.from(this.tournament(pool).arch.genes);
    this.mutateOne(genes, this.modular.length > 0 ? this.modular : this.structural);
    return space.fromGenes(genes, this.ctx.rng);
  }

  private mutateOne(genes: Int32Array, keys: readonly number[]): void {
    const { space, rng } = this.ctx;
    const live = keys.filter((k) => genes[k]! >= 0 && space.keys[k]!.options > 1);
    if (live.length === 0) return;
    const k = live[rng.int(live.length)]!;
    const n = space.keys[k]!.options;
    genes[k] = (genes[k]! + 1 + rng.int(n - 1)) % n;
  }

  /** The best `size` evaluated architectures by nondominated rank and crowding (NSGA-II's survival). */
  private population(): { member: Member; rank: number; crowding: number }[] {
    const points = this.evaluated.map((m) => m.objectives);
    const out: { member: Member; rank: number; crowding: number }[] = [];
    for (const [r, front] of nondominatedSort(points).entries()) {
      const d = crowdingDistance(points, front);
      const sorted = [...front].sort((a, b) => d.get(b)! - d.get(a)! || a - b);
      for (const i of sorted) {
        if (out.length >= this.size) return out;
        out.push({ member: this.evaluated[i]!, rank: r, crowding: d.get(i)! });
      }
    }
    return out;
  }

  private tournament(pool: { member: Member; rank: number; crowding: number }[]): Member {
    const rng = this.ctx.rng;
    const x = pool[rng.int(pool.length)]!;
    const y = pool[rng.int(pool.length)]!;
    if (x.rank !== y.rank) return (x.rank < y.rank ? x : y).member;
    return (x.crowding >= y.crowding ? x : y).member;
  }

  // ------------------------------------------------------------------ partial-order pruning

  private bar(): number | undefined {
    const set = this.ctx.settings['bar'];
    if (typeof set === 'number') return set;
    if (this.evaluated.length < 4) return undefined;
    const q = this.evaluated.map((m) => m.quality).sort((a, b) => a - b);
    return q[Math.floor(q.length / 2)];
  }

  private dominatedByFailure(a: Arch): boolean {
    if (!this.qualityIsFirst) return false;
    const bar = this.bar();
    if (bar === undefined) return false;
    return this.evaluated.some((t) => t.quality < bar && this.noLarger(a, t.arch));
  }

  private noLarger(a: Arch, t: Arch): boolean {
    for (let k = 0; k < a.genes.length; k++) {
      const x = a.genes[k]!;
      const y = k < t.genes.length ? t.genes[k]! : -1;
      if (x < 0 || y < 0) {
        if (x !== y) return false;
        continue;
      }
      // Keys met only in deeper architectures have no measured order: incomparable.
      const rank = this.rank[k];
      if (!rank || rank[x]! > rank[y]!) return false;
    }
    return true;
  }
}

/** A choice among numbers (`choice(128, 256)`, `choice(1..3)`): a module's inner setting. */
function numericChoice(site: ast.Expr | object): boolean {
  const call = site as ast.Call;
  if (call.$type !== 'Call') return false;
  const args = call.args.filter((a) => !a.name).map((a) => a.value);
  if (args.length === 1) return args[0]!.$type === 'BinaryExpr' && (args[0] as ast.BinaryExpr).operator === '..';
  return args.length > 0 && args.every((e) => e.$type === 'NumberLit' || (e.$type === 'Unary' && (e as ast.Unary).operand.$type === 'NumberLit'));
}
