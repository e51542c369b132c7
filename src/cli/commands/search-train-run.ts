/**
 * `nas search` with an evaluator that runs on the training engine (train, supernet,
 * zero_cost): the same command, run in the training bundle (dist/cli-train.cjs) where those
 * evaluators are registered. dist/cli.cjs loads this only when a search block names one.
 */
import { registerTrainingEvaluators } from '../../core/search/evaluators/training.js';
import { searchCommand, type SearchOptions } from './search.js';

export async function runTrainingSearch(file: string, opts: SearchOptions, signal: AbortSignal): Promise<number> {
  registerTrainingEvaluators();
  return searchCommand(file, opts, signal, true);
}
