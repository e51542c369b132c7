/**
 * `nas fuse`'s weight work (src/cli/commands/fuse.ts declares the command): a module of its
 * own, loaded with the training engine (dist/cli-train.cjs) only when weights are fused or
 * verified. It receives the fusion plan as plain data (model specs and the node match), so
 * nothing of the language services crosses into this bundle.
 */
import { selectBackend } from '../../core/train/backend';
import { buildModel, type BuiltModel } from '../../core/train/model-builder/index';
import { readSafetensorsFile, SafetensorsError, saveModelWeights, loadModelWeights } from '../../core/train/safetensors';
import { fuseWeights } from '../../core/reparam/fuse-weights';
import { assignTensors, checkFusion, randomImages, randomizeBatchNorms, readTensors, type BlockDifference, type Difference } from '../../core/reparam/verify';
import type { FusionPlan } from '../../core/reparam/fusion-plan';
import { exportOnnx, OnnxExportError } from '../../core/export/onnx/index';

export interface FuseWeightsOptions {
  /** Trained weights of the training-time network; absent: random weights and BN statistics. */
  weights?: string;
  /** Where to write the deployment network's weights. */
  outWeights?: string;
  verify: boolean;
  /** Largest relative difference allowed, per block and for the network. */
  tolerance: number;
  seed: number;
  /** Random images the check runs on. */
  images: number;
  /** Export the deployment network with its fused weights as ONNX (the bytes are returned). */
  onnx?: { producerVersion: string };
  /** The deployment .nas file (recorded in the weights' metadata). */
  deployFile: string;
  /** The training-time .nas file. */
  sourceFile: string;
}

export interface FuseWeightsResult {
  blocks?: BlockDifference[];
  network?: Difference;
  /** The first block (or `network`) over the tolerance. */
  failed?: string;
  /** A message and exit code for input the work refused (a checkpoint that does not load). */
  error?: { message: string; exitCode: number };
  backend: string;
  /** The deployment network as ONNX, when asked for and the check (if any) passed. */
  onnx?: { bytes: Uint8Array; nodes: number };
}

function overTolerance(d: Difference, tolerance: number): boolean {
  return !(d.maxRelDiff <= tolerance);
}

export async function runFuseWeights(plan: FusionPlan, opts: FuseWeightsOptions, log: (line: string) => void): Promise<FuseWeightsResult> {
  const sel = await selectBackend({ log });
  let train: BuiltModel | undefined;
  let deploy: BuiltModel | undefined;
  try {
    train = buildModel(plan.train, { seed: opts.seed });
    let metadata: Record<string, string> = {};
    if (opts.weights) {
      try {
        const refused = checkCheckpoint(train, opts.weights);
        if (refused) return { backend: sel.backend, error: { message: `cannot load ${opts.weights}: ${refused}`, exitCode: 2 } };
        metadata = loadModelWeights(train, opts.weights);
      } catch (e) {
        if (e instanceof SafetensorsError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
          return { backend: sel.backend, error: { message: `cannot load ${opts.weights}: ${(e as Error).message}`, exitCode: 2 } };
        }
        throw e;
      }
    } else {
      const x = randomImages(train, Math.max(opts.images, 2), opts.seed + 1);
      try {
        randomizeBatchNorms(train, x, opts.seed);
      } finally {
        x.dispose();
      }
    }
    const fused = fuseWeights(plan.train, plan.deploy, plan.match, readTensors(train));
    deploy = buildModel(plan.deploy);
    assignTensors(deploy, fused.tensors);
    const result: FuseWeightsResult = { backend: sel.backend };
    if (opts.verify) {
      const x = randomImages(train, opts.images, opts.seed + 2);
      try {
        const check = checkFusion(train, deploy, fused.blocks, x);
        result.blocks = [...check.blocks];
        result.network = check.network;
        result.failed =
          check.blocks.find((b) => overTolerance(b, opts.tolerance))?.name ?? (overTolerance(check.network, opts.tolerance) ? 'network' : undefined);
      } finally {
        x.dispose();
      }
    }
    if (opts.outWeights && !result.failed) {
      const { model_spec: _spec, network: _network, source: _source, ...kept } = metadata;
      saveModelWeights(deploy, opts.outWeights, {
        ...kept,
        network: plan.deploy.name,
        source: opts.deployFile,
        fused_from: opts.weights ?? 'random weights and batch-norm statistics (self-check)',
        fused_source: opts.sourceFile,
        layout: 'NHWC activations; conv [kh, kw, in/groups, out]; linear [in, out]; PyTorch permutations in model_spec',
        model_spec: JSON.stringify(plan.deploy),
      });
    }
    if (opts.onnx && !result.failed) {
      try {
        const e = exportOnnx(plan.deploy, readTensors(deploy), {
          producerVersion: opts.onnx.producerVersion,
          metadata: { network: plan.deploy.name, source: opts.deployFile, fused_from: opts.weights ?? 'random weights and batch-norm statistics (self-check)' },
        });
        result.onnx = { bytes: e.bytes, nodes: e.nodes };
      } catch (e) {
        if (!(e instanceof OnnxExportError)) throw e;
        return { backend: sel.backend, error: { message: `cannot export ${plan.deploy.name} to ONNX: ${e.message}`, exitCode: 1 } };
      }
    }
    return result;
  } finally {
    train?.dispose();
    deploy?.dispose();
  }
}

/**
 * Why a checkpoint is not this training-time network's, in a line (a deployment checkpoint, or
 * another network: how many of its tensors are missing, the first few named); undefined when
 * every tensor is there (the load then checks shapes and types).
 */
function checkCheckpoint(model: BuiltModel, file: string): string | undefined {
  const { tensors, metadata } = readSafetensorsFile(file);
  const names = [...model.trainable.keys(), ...model.state.keys()];
  const missing = names.filter((n) => !tensors.has(n));
  if (missing.length === 0) return undefined;
  const deployed =
    metadata['fused_from'] !== undefined ? ' It holds deployment weights written by nas fuse; pass the training-time weights (nas train --save).' : '';
  const first = missing.slice(0, 3).join(', ');
  return `it is not a checkpoint of ${model.name} as this file defines it: ${missing.length} of its ${names.length} tensors are missing (${first}${missing.length > 3 ? ', ...' : ''}).${deployed}`;
}
