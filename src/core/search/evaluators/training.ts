/**
 * Registers the evaluators that run on the training engine (tfjs): `train` and `supernet` (or
 * their PyTorch forms), and `zero_cost`. Kept apart from registry.ts so that loading the search engine does not load
 * tfjs; the CLI calls this from its training bundle, tests call it directly.
 */
import { registerEvaluator } from './registry.js';
import { SupernetEvaluator } from './supernet.js';
import { TorchSupernetEvaluator } from './supernet-torch.js';
import { TrainEvaluator } from './train.js';
import { TorchTrainEvaluator } from './train-torch.js';
import { ZeroCostEvaluator } from './zero-cost.js';

export function registerTrainingEvaluators(): void {
  // The PyTorch engine when the caller resolved one (`engine = "torch"`, src/cli/commands/search-engine.ts).
  registerEvaluator('train', (space, settings, context) =>
    context.torch ? new TorchTrainEvaluator(space, settings, context) : new TrainEvaluator(space, settings, context),
  );
  registerEvaluator('supernet', (space, settings, context) =>
    context.torch ? new TorchSupernetEvaluator(space, settings, context) : new SupernetEvaluator(space, settings, context),
  );
  registerEvaluator('zero_cost', (space, settings, context) => new ZeroCostEvaluator(space, settings, context));
}
