/** Models from `.nas` networks: spec (spec.ts), names (naming.ts), tfjs model (build.ts). */
export { MODEL_SPEC_FORMAT, ModelBuildError, describeModel, specParamCount, type ModelSpec, type ParamSpec, type SpecNode } from './spec.js';
export { buildModel, buildModelFromResult, type BuildOptions, type BuiltModel } from './build.js';
export { nodeModulePaths } from './naming.js';
export {
  WASM_HEAP_LIMIT,
  WASM_TRAINING_BUDGET,
  checkTrainingMemory,
  estimateTrainingMemory,
  largestBatchUnder,
  type TrainingMemoryEstimate,
} from './memory.js';
export { checkModelFitsData, type DataShape } from './fit.js';
