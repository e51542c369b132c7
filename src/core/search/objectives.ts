/**
 * From metrics to what strategies optimise: objective vectors to minimise (maximised metrics
 * negated), the scalar fitness of single-objective strategies, and constraints on evaluated
 * metrics. Two objectives in a single-objective strategy are scalarised with MnasNet's reward
 * (Tan et al., "MnasNet: Platform-Aware Neural Architecture Search for Mobile", CVPR 2019):
 * ACC x (COST/T)^w, soft (w on both sides of the target T) or hard (no penalty below T,
 * w = -1 above it).
 */
import { satisfies } from './feasible.js';
import type { ConstraintSpec, Metrics, ObjectiveSpec, Settings } from './types.js';
import { COST_METRICS } from './vocabulary.js';

export interface Scalarizer {
  /** Larger is better; -Infinity when a metric is missing. */
  fitness(m: Metrics): number;
  readonly description: string;
}

export class ObjectiveSetupError extends Error {}

export function objectiveVector(objectives: readonly ObjectiveSpec[], m: Metrics): number[] | undefined {
  const out: number[] = [];
  for (const o of objectives) {
    const v = m[o.metric];
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(o.direction === 'maximize' ? -v : v);
  }
  return out;
}

export function makeScalarizer(objectives: readonly ObjectiveSpec[], settings: Settings): Scalarizer {
  if (objectives.length === 1) {
    const o = objectives[0]!;
    const sign = o.direction === 'maximize' ? 1 : -1;
    return {
      description: `${o.direction} ${o.metric}`,
      fitness: (m) => {
        const v = m[o.metric];
        return v === undefined || !Number.isFinite(v) ? -Infinity : sign * v;
      },
    };
  }
  const quality = objectives.filter((o) => o.direction === 'maximize' && !COST_METRICS.has(o.metric));
  const cost = objectives.filter((o) => o.direction === 'minimize' && o.metric !== 'error' && o.metric !== 'loss');
  const target = settings['target'];
  if (objectives.length !== 2 || quality.length !== 1 || cost.length !== 1) {
    throw new ObjectiveSetupError(
      `a single-objective strategy takes one objective, or two as MnasNet's reward: maximize a quality metric and minimize a cost (found ${objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')})`,
    );
  }
  if (typeof target !== 'number') {
    throw new ObjectiveSetupError(
      `two objectives in a single-objective strategy are scalarised as ACC x (COST/target)^w (MnasNet): give the strategy \`target = ...\` (the ${cost[0]!.metric} target)`,
    );
  }
  const hard = settings['reward'] === 'hard';
  const w = typeof settings['w'] === 'number' ? settings['w'] : -0.07;
  const q = quality[0]!.metric;
  const c = cost[0]!.metric;
  return {
    description: hard ? `${q} x (${c}/${target})^(0 below, -1 above)` : `${q} x (${c}/${target})^${w}`,
    fitness: (m) => {
      const a = m[q];
      const x = m[c];
      if (a === undefined || x === undefined || !Number.isFinite(a) || !Number.isFinite(x)) return -Infinity;
      const exponent = hard ? (x <= target ? 0 : -1) : w;
      return a * Math.pow(x / target, exponent);
    },
  };
}

/** Constraints on evaluated metrics hold (cost constraints are enforced before evaluation). */
export function meetsConstraints(constraints: readonly ConstraintSpec[], m: Metrics): boolean {
  return constraints.every((c) => {
    const v = m[c.metric];
    return v !== undefined && satisfies(v, c);
  });
}
