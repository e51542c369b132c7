/**
 * The CLI's training commands, bundled apart (dist/cli-train.cjs, esbuild.mjs): dist/cli.cjs
 * loads this bundle when `nas train`, `nas bench train|fuse`, `nas fuse` with weights, `nas proxy` or
 * `nas search` with a training evaluator runs, so that the other commands
 * neither parse nor start the training engine (tfjs), about 150 ms of every `nas check`.
 */
export { runTrainCommand } from './commands/train-run.js';
export { runBenchTrain } from './commands/bench-run.js';
export { runTrainingSearch } from './commands/search-train-run.js';
export { runProxyCommand } from './commands/proxy-run.js';
export { runFuseWeights } from './commands/fuse-run.js';
export { runBenchFuse } from './commands/bench-fuse-run.js';
