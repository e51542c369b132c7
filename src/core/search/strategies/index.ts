/** Strategies by name: every name in vocabulary.ts STRATEGIES has a constructor here. */
import type { Strategy } from '../types.js';
import type { StrategyContext } from './context.js';
import { Bayesian } from './bayesian.js';
import { Evolution } from './evolution.js';
import { Nsga2 } from './nsga2.js';
import { Reinforce } from './reinforce.js';
import { GridSearch, LocalSearch, RandomSearch } from './simple.js';
import { SmNas } from './smnas.js';

export type { StrategyContext } from './context.js';

export const STRATEGY_CONSTRUCTORS: Readonly<Record<string, (ctx: StrategyContext) => Strategy>> = {
  random: (ctx) => new RandomSearch(ctx),
  grid: (ctx) => new GridSearch(ctx),
  local_search: (ctx) => new LocalSearch(ctx),
  regularized_evolution: (ctx) => new Evolution(ctx, true),
  evolution: (ctx) => new Evolution(ctx, false),
  nsga2: (ctx) => new Nsga2(ctx),
  smnas: (ctx) => new SmNas(ctx),
  reinforce: (ctx) => new Reinforce(ctx),
  bayesian: (ctx) => new Bayesian(ctx),
};

export function createStrategy(name: string, ctx: StrategyContext): Strategy {
  const make = STRATEGY_CONSTRUCTORS[name];
  if (!make) throw new Error(`no strategy named ${name}`);
  return make(ctx);
}
