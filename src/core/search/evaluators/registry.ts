/**
 * Evaluators by name. The training work adds `train`, `supernet` and `zero_cost` here (and
 * takes them out of vocabulary.ts's PENDING_EVALUATORS); a PyTorch engine is one more factory.
 */
import type { ArchitectureSpace } from '../architecture-space.js';
import { SearchSetupError } from '../feasible.js';
import type { Candidate, Evaluation, Evaluator, Settings } from '../types.js';
import { KNOWN_EVALUATORS, PENDING_EVALUATORS, pendingEvaluatorMessage } from '../vocabulary.js';
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

type Factory = (space: ArchitectureSpace, settings: Settings) => Evaluator;

const FACTORIES = new Map<string, Factory>([
  ['benchmark', (space, settings) => new BenchmarkEvaluator(space, settings)],
  ['cost', () => new CostEvaluator()],
  ['fake', (space, settings) => new FakeEvaluator(space, settings)],
]);

export function createEvaluator(name: string, space: ArchitectureSpace, settings: Settings): Evaluator {
  if (PENDING_EVALUATORS.has(name)) throw new SearchSetupError(pendingEvaluatorMessage(name));
  const factory = FACTORIES.get(name);
  if (!factory) throw new SearchSetupError(`unknown evaluator \`${name}\` (evaluators: ${[...KNOWN_EVALUATORS].join(', ')})`);
  return factory(space, settings);
}
