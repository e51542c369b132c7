/** What every strategy is built with, and the helpers several share. */
import type { Rng } from '../../util/random.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { FeasibleSampler } from '../feasible.js';
import type { Arch, CostMetrics, ObjectiveSpec, Settings } from '../types.js';

export interface StrategyContext {
  readonly space: ArchitectureSpace;
  /** Feasible sampling and mutation (cost constraints). */
  readonly feasible: FeasibleSampler;
  readonly rng: Rng;
  readonly settings: Settings;
  readonly objectives: readonly ObjectiveSpec[];
  /** Evaluations the run may spend (strategies that plan stages split it). */
  readonly budget: number;
  /** Hypervolume reference point, as values to minimise (multi-objective strategies). */
  readonly reference: readonly number[];
}

export function numberSetting(ctx: StrategyContext, name: string, fallback: number): number {
  const v = ctx.settings[name];
  return typeof v === 'number' ? v : fallback;
}

/**
 * Zero-cost warm-up (Abdelfattah, Mehrotra, Dudziak & Lane, "Zero-Cost Proxies for
 * Lightweight NAS", ICLR 2021): draw `pool` feasible architectures, rank them by a free
 * proxy (here a cost-model metric, larger first: on NAS-Bench-201 FLOPs and params rank
 * accuracy about as well as the trained-free proxies) and keep the best `count` distinct
 * ones. Ties keep the order they were drawn in.
 */
export function warmStart(ctx: StrategyContext, count: number): Arch[] {
  const pool = numberSetting(ctx, 'warmup', 0);
  if (pool <= 0) return [];
  const proxy = String(ctx.settings['proxy'] ?? 'macs') as keyof CostMetrics;
  const seen = new Set<string>();
  const drawn: { arch: Arch; score: number; order: number }[] = [];
  for (let i = 0; i < pool; i++) {
    const a = ctx.feasible.sample(ctx.rng);
    if (seen.has(a.encoding)) continue;
    seen.add(a.encoding);
    drawn.push({ arch: a, score: ctx.space.costs(a)[proxy], order: i });
  }
  drawn.sort((x, y) => y.score - x.score || x.order - y.order);
  return drawn.slice(0, count).map((d) => d.arch);
}

/** Fisher-Yates with the strategy's generator. */
export function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
