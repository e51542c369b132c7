/**
 * The two models of a fusion and how their nodes correspond: the training-time network's
 * model spec with its reparameterizable sums, the deployment network's, and the match
 * (deploy-match.ts). Weights (fuse-weights.ts) and checks (verify.ts) work from it.
 */
import type { Definition } from '../language/syntax/generated/ast.js';
import type { ElaborationResult } from '../semantics/evaluator/index.js';
import { describeModel, type ModelSpec } from '../train/model-builder/spec.js';
import { reparamSums } from './check-graph.js';
import { matchDeploy, type DeployMatch } from './deploy-match.js';

export interface FusionPlan {
  readonly train: ModelSpec;
  readonly deploy: ModelSpec;
  readonly match: DeployMatch;
}

export function planFusion(train: { result: ElaborationResult; def: Definition }, deploy: { result: ElaborationResult; def: Definition }): FusionPlan {
  const trainSpec = describeModel(train.result, train.def);
  const deploySpec = describeModel(deploy.result, deploy.def);
  const sums = reparamSums(train.result.graph).filter((s) => !s.error);
  return { train: trainSpec, deploy: deploySpec, match: matchDeploy(trainSpec, sums, deploySpec) };
}
