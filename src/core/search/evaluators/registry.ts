/**
 * Evaluators by name. Those that run on the training engine (`train`, `supernet`,
 * `zero_cost`) are registered by evaluators/training.ts when the engine is loaded, so that
 * the CLI's search loads tfjs only for them; a PyTorch engine is one more factory.
 */
import type { ArchitectureSpace } from '../architecture-space.js';
import { SearchSetupError } from '../feasible.js';
import type { Candidate, Evaluation, Evaluator, EvaluatorContext, Settings } from '../types.js';
import { KNOWN_EVALUATORS, PENDING_EVALUATORS, evaluatorSpec, pendingEvaluatorMessage } from '../vocabulary.js';
import { BenchmarkEvaluator } from './benchmark.js';
import { FakeEvaluator } from './fake.js';

/** The `cost` evaluator: nothing beyond the cost model, which the engine adds to every trial. */
class CostEvaluator implements Evaluator {
  readonly name = 'cost';
  readonly metrics: readonly string[] = [];
  evaluate(_c: Candidate): Evaluation {
    return { metrics: {} };
  }
}

export type EvaluatorFactory = (space: ArchitectureSpace, settings: Settings, context: EvaluatorContext) => Evaluator;

const FACTORIES = new Map<string, EvaluatorFactory>([
  ['benchmark', (space, settings) => new BenchmarkEvaluator(space, settings)],
  ['cost', () => new CostEvaluator()],
  ['fake', (space, settings) => new FakeEvaluator(space, settings)],
]);

export function registerEvaluator(name: string, factory: EvaluatorFactory): void {
  FACTORIES.set(name, factory);
}

/** Whether `name` can be created in this process (training evaluators: once the engine is loaded). */
export function hasEvaluator(name: string): boolean {
  return FACTORIES.has(name);
}

const QUIET: EvaluatorContext = { wanted: new Set(), log: () => {} };

export function createEvaluator(name: string, space: ArchitectureSpace, settings: Settings, context: EvaluatorContext = QUIET): Evaluator {
  if (PENDING_EVALUATORS.has(name)) throw new SearchSetupError(pendingEvaluatorMessage(name));
  const factory = FACTORIES.get(name);
  if (!factory && evaluatorSpec(name)?.training) {
    throw new SearchSetupError(`evaluator \`${name}\` runs on the training engine, which is not loaded (call registerTrainingEvaluators())`);
  }
  if (!factory) throw new SearchSetupError(`unknown evaluator \`${name}\` (evaluators: ${[...KNOWN_EVALUATORS].join(', ')})`);
  return factory(space, settings, context);
}
