/**
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan, IEEE TEC 2002): a population ranked by
 * nondominated sorting and crowding distance; each generation breeds as many offspring by
 * binary tournaments, uniform crossover and per-decision mutation, and the best of parents
 * and offspring survive. Offspring already evaluated are redrawn (the engine's cache would
 * answer them for free, but they would teach nothing).
 *
 * Two options use what the cost model knows for free:
 * - `init = "spread"` draws the initial population evenly over the values of the first cost
 *   objective (from a pool of feasible samples) instead of uniformly, so the front's extremes
 *   are present from the start;
 * - `screen = K` breeds K offspring per evaluation and evaluates the one with the largest
 *   predicted hypervolume gain, its cost objectives exact and its other objectives predicted
 *   by ridge regression on the one-hot encoding (surrogate-assisted selection as NSGANetV2,
 *   Lu, Deb, Goodman, Banzhaf & Boddeti, ECCV 2020).
 */
import { crowdingDistance, dominates, hypervolume, nondominatedSort, type Vector } from '../pareto.js';
import { OneHot, RidgeModel } from '../surrogate.js';
import type { Arch, Observation, Strategy } from '../types.js';
import { COST_METRICS } from '../vocabulary.js';
import { numberSetting, type StrategyContext } from './context.js';

interface Member {
  readonly arch: Arch;
  readonly objectives: Vector;
}

const REDRAWS = 20;

export class Nsga2 implements Strategy {
  private population: Member[] = [];
  private readonly evaluated: Member[] = [];
  /** The nondominated evaluated members (kept as they arrive). */
  private front: Member[] = [];
  private readonly seen = new Set<string>();
  private readonly size: number;
  private readonly crossover: number;
  private readonly mutation: number;
  private readonly screen: number;
  private started = false;
  private readonly oneHot: OneHot;
  /** Objective indices the cost model gives exactly (known before evaluation). */
  private readonly free: boolean[];

  constructor(private readonly ctx: StrategyContext) {
    this.size = numberSetting(ctx, 'population', 20);
    this.crossover = numberSetting(ctx, 'crossover', 0.9);
    const m = numberSetting(ctx, 'mutation', 0);
    this.mutation = m > 0 ? m : 1 / Math.max(1, ctx.space.dimension);
    this.screen = numberSetting(ctx, 'screen', 1);
    this.oneHot = new OneHot(ctx.space);
    this.free = ctx.objectives.map((o) => COST_METRICS.has(o.metric));
  }

  ask(): Arch[] {
    if (!this.started) {
      this.started = true;
      return this.initial();
    }
    const ranked = this.rank(this.population);
    const models = this.screen > 1 ? this.fitModels() : undefined;
    // Each pick joins the front as predicted (a "believer"), so one generation's picks spread out.
    const front: Vector[] = models ? this.front.map((m) => m.objectives) : [];
    const kids: Arch[] = [];
    for (let k = 0; k < this.size; k++) {
      const candidates: Arch[] = [];
      for (let s = 0; s < this.screen; s++) {
        const c = this.breed(ranked);
        if (!this.seen.has(c.encoding) && !candidates.some((x) => x.encoding === c.encoding)) candidates.push(c);
      }
      if (candidates.length === 0) continue;
      const chosen = models ? this.pick(candidates, models, front) : candidates[0]!;
      this.seen.add(chosen.encoding);
      kids.push(chosen);
    }
    return kids.length > 0 ? kids : [this.ctx.feasible.sample(this.ctx.rng)];
  }

  tell(obs: readonly Observation[]): void {
    const worst = this.ctx.objectives.map(() => Infinity);
    const members = obs.map((o) => ({ arch: o.arch, objectives: o.objectives ?? worst }));
    for (const m of members) {
      this.seen.add(m.arch.encoding);
      if (m.objectives === worst) continue;
      this.evaluated.push(m);
      const v = m.objectives;
      if (!this.front.some((f) => dominates(f.objectives, v) || f.objectives.every((x, i) => x === v[i]))) {
        this.front = [...this.front.filter((f) => !dominates(v, f.objectives)), m];
      }
    }
    this.population = this.select([...this.population, ...members]);
  }

  // ------------------------------------------------------------------ generations

  private initial(): Arch[] {
    const rng = this.ctx.rng;
    const out: Arch[] = [];
    const add = (a: Arch) => {
      if (!this.seen.has(a.encoding)) {
        this.seen.add(a.encoding);
        out.push(a);
      }
    };
    const freeIndex = this.free.indexOf(true);
    if (this.ctx.settings['init'] === 'spread' && freeIndex >= 0) {
      const metric = this.ctx.objectives[freeIndex]!.metric as 'macs';
      const pool = Array.from({ length: 100 * this.size }, () => this.ctx.feasible.sample(rng));
      const values = pool.map((a) => this.ctx.space.costs(a)[metric]);
      const levels = [...new Set(values)].sort((a, b) => a - b);
      const picks =
        levels.length <= this.size ? levels : Array.from({ length: this.size }, (_, i) => levels[Math.round((i * (levels.length - 1)) / (this.size - 1))]!);
      for (const v of picks) {
        const at = pool.filter((_, i) => values[i] === v);
        add(at[rng.int(at.length)]!);
      }
    }
    for (let tries = 0; out.length < this.size && tries < 50 * this.size; tries++) add(this.ctx.feasible.sample(rng));
    return out;
  }

  private breed(ranked: Ranked): Arch {
    const { space, rng, feasible } = this.ctx;
    let child: Arch | undefined;
    for (let attempt = 0; attempt < REDRAWS; attempt++) {
      const a = this.tournament(ranked);
      const b = this.tournament(ranked);
      const base = rng.next() < this.crossover ? space.crossover(a.arch, b.arch, rng) : a.arch;
      const genes = Int32Array.from(base.genes);
      const keys = space.mutableKeys(base);
      let changed = false;
      for (const i of keys) {
        if (rng.next() < this.mutation) {
          const n = space.keys[i]!.options;
          genes[i] = (genes[i]! + 1 + rng.int(n - 1)) % n;
          changed = true;
        }
      }
      if (!changed && keys.length > 0) {
        const i = keys[rng.int(keys.length)]!;
        const n = space.keys[i]!.options;
        genes[i] = (genes[i]! + 1 + rng.int(n - 1)) % n;
      }
      child = space.fromGenes(genes, rng);
      if (!feasible.feasible(child)) child = feasible.mutate(base, rng);
      if (!this.seen.has(child.encoding)) return child;
    }
    return child!;
  }

  private tournament(r: Ranked): Member {
    const rng = this.ctx.rng;
    const i = rng.int(r.members.length);
    const j = rng.int(r.members.length);
    if (r.rank[i] !== r.rank[j]) return r.members[r.rank[i]! < r.rank[j]! ? i : j]!;
    return r.members[r.crowding[i]! >= r.crowding[j]! ? i : j]!;
  }

  private rank(members: readonly Member[]): Ranked {
    const points = members.map((m) => m.objectives);
    const rank = new Array<number>(members.length).fill(0);
    const crowding = new Array<number>(members.length).fill(0);
    nondominatedSort(points).forEach((front, r) => {
      const d = crowdingDistance(points, front);
      for (const i of front) {
        rank[i] = r;
        crowding[i] = d.get(i)!;
      }
    });
    return { members, rank, crowding };
  }

  /** Environmental selection: whole fronts while they fit, then the least crowded of the next. */
  private select(all: readonly Member[]): Member[] {
    const unique = all.filter((m, i) => all.findIndex((x) => x.arch.encoding === m.arch.encoding) === i);
    if (unique.length <= this.size) return unique;
    const points = unique.map((m) => m.objectives);
    const out: Member[] = [];
    for (const front of nondominatedSort(points)) {
      if (out.length + front.length <= this.size) {
        out.push(...front.map((i) => unique[i]!));
        continue;
      }
      const d = crowdingDistance(points, front);
      const order = [...front].sort((a, b) => d.get(b)! - d.get(a)! || a - b);
      out.push(...order.slice(0, this.size - out.length).map((i) => unique[i]!));
      break;
    }
    return out;
  }

  // ------------------------------------------------------------------ screening

  private fitModels(): (RidgeModel | undefined)[] {
    const rows = this.evaluated.map((m) => this.oneHot.active(m.arch));
    return this.ctx.objectives.map((_, k) => {
      if (this.free[k]) return undefined;
      const model = new RidgeModel(this.oneHot.size);
      model.fit(
        rows,
        this.evaluated.map((m) => m.objectives[k]!),
      );
      return model;
    });
  }

  private pick(candidates: readonly Arch[], models: readonly (RidgeModel | undefined)[], front: Vector[]): Arch {
    // An objective without a known worst value (latency) is bounded by the worst seen, plus a tenth of its range.
    const ref = this.ctx.reference.map((r, k) => {
      if (Number.isFinite(r)) return r;
      const vs = this.evaluated.map((m) => m.objectives[k]!);
      const hi = Math.max(...vs);
      return hi + 0.1 * (hi - Math.min(...vs) || Math.abs(hi) || 1);
    });
    const base = hypervolume(front, ref);
    let best = 0;
    let bestGain = 0;
    const predicted = candidates.map((c) => {
      const costs = this.ctx.space.costs(c);
      const active = this.oneHot.active(c);
      return this.ctx.objectives.map((o, k) => {
        if (!this.free[k]) return models[k]!.predict(active);
        const v = costs[o.metric as keyof typeof costs];
        return o.direction === 'maximize' ? -v : v;
      });
    });
    predicted.forEach((p, i) => {
      const gain = hypervolume([...front, p], ref) - base;
      if (gain > bestGain) {
        bestGain = gain;
        best = i;
      }
    });
    front.push(predicted[best]!);
    return candidates[best]!;
  }
}

interface Ranked {
  readonly members: readonly Member[];
  readonly rank: readonly number[];
  readonly crowding: readonly number[];
}
