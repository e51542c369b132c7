/**
 * Checks a fusion by running it: the training-time model and the deployment model (both built
 * by the model builder, both in eval mode: BN uses its running estimates) on the same random
 * inputs. Each fused block is compared in isolation, its deployment conv applied to the very
 * tensor the multi-branch block read, so that a wrong block is named even when later layers
 * would blur it; the whole network is compared on its outputs.
 *
 * A difference is reported as the largest absolute difference and that over the largest
 * magnitude of the training-time output (relative to the tensor's scale: an element-wise
 * ratio would divide by values near zero that no layer cares about).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from '../train/model-builder/build.js';
import * as ops from '../train/model-builder/ops.js';
import { Rng } from '../util/random.js';
import { oihwToHwio, type FusedConv, type TensorMap } from './fuse-weights.js';

export interface Difference {
  readonly maxAbsDiff: number;
  readonly maxRelDiff: number;
}

export interface BlockDifference extends Difference {
  /** The training-time block's module path (`RepVGGBlock_3`). */
  readonly name: string;
  /** The deployment conv's module path (`RepVGGDeploy_3.conv`). */
  readonly deploy: string;
}

export interface FusionCheck {
  readonly blocks: readonly BlockDifference[];
  readonly network: Difference;
}

/** Sets a model's variables from named tensors (every variable must be there, same shape). */
export function assignTensors(model: BuiltModel, tensors: TensorMap): void {
  for (const [name, v] of [...model.trainable, ...model.state]) {
    const t = tensors.get(name);
    if (!t) throw new Error(`no tensor for ${name}`);
    if (t.shape.join() !== v.shape.join()) throw new Error(`${name}: tensor [${t.shape}] for a variable [${v.shape}]`);
    tf.tidy(() => v.assign(tf.tensor(t.data, [...t.shape], v.dtype)));
  }
}

/** A model's variables as named tensors. */
export function readTensors(model: BuiltModel): Map<string, { shape: number[]; data: Float32Array | Int32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>();
  for (const [name, v] of [...model.trainable, ...model.state]) {
    const data = v.dataSync();
    out.set(name, { shape: [...v.shape], data: v.dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data) });
  }
  return out;
}

/** Standard-normal images for `model`, seeded. */
export function randomImages(model: BuiltModel, batch: number, seed: number): tf.Tensor4D {
  const [c, h, w] = model.spec.input;
  return tf.randomNormal([batch, h, w, c], 0, 1, 'float32', seed);
}

/**
 * Random batch-norm parameters and statistics that keep a deep network's activations in
 * range: γ ~ U(0.5, 1.5), β ~ U(−0.5, 0.5); then, from one training-mode pass over `x` (the
 * network's own activations), each running mean within a quarter of a standard deviation of
 * its channel's batch mean and each running variance 0.5 to 2 times its batch variance.
 * Without the calibration, statistics drawn blindly shrink or blow up the activations by a
 * factor per layer, and a deep network's output is all zeros or all rounding.
 */
export function randomizeBatchNorms(model: BuiltModel, x: tf.Tensor4D, seed: number): void {
  const rng = new Rng(seed);
  const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
  const bns = model.spec.nodes.filter((n) => n.op === 'bn');
  for (const n of bns) {
    const c = n.attrs['c'] as number;
    const gamma = model.trainable.get(`${n.name}.weight`);
    const beta = model.trainable.get(`${n.name}.bias`);
    if (gamma) tf.tidy(() => gamma.assign(tf.tensor1d(uniform(c, 0.5, 1.5))));
    if (beta) tf.tidy(() => beta.assign(tf.tensor1d(uniform(c, -0.5, 0.5))));
  }
  const inputs = new Set(bns.map((n) => n.inputs[0]!));
  const stats = new Map<number, { mean: Float32Array; variance: Float32Array }>();
  const logits = model.forward(x, true, (id, v) => {
    if (!inputs.has(id) || stats.has(id)) return;
    const c = model.spec.nodes[id]!.shape[0];
    if (!v) {
      stats.set(id, { mean: new Float32Array(c), variance: new Float32Array(c) });
      return;
    }
    tf.tidy(() => {
      const m = tf.moments(v, [0, 1, 2]);
      stats.set(id, { mean: m.mean.dataSync() as Float32Array, variance: m.variance.dataSync() as Float32Array });
    });
  });
  logits.dispose();
  for (const n of bns) {
    const s = stats.get(n.inputs[0]!);
    if (!s) continue; // a BN the output does not depend on
    const c = s.mean.length;
    const spread = uniform(c, -0.25, 0.25);
    const factor = uniform(c, 0.5, 2);
    const variance = Float32Array.from(s.variance, (v) => Math.max(v, 1e-3));
    const mean = Float32Array.from(s.mean, (m, i) => m + Math.sqrt(variance[i]!) * spread[i]!);
    tf.tidy(() => {
      model.state.get(`${n.name}.running_mean`)!.assign(tf.tensor1d(mean));
      model.state.get(`${n.name}.running_var`)!.assign(tf.tensor1d(variance.map((v, i) => v * factor[i]!)));
    });
  }
}

function difference(ours: tf.Tensor, reference: tf.Tensor): Difference {
  return tf.tidy(() => {
    const abs = tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]!;
    const scale = tf.max(tf.abs(reference)).dataSync()[0]!;
    return { maxAbsDiff: abs, maxRelDiff: scale > 0 ? abs / scale : abs === 0 ? 0 : Infinity };
  });
}

/** Runs both models in eval mode on `x` and compares each fused block and the outputs. */
export function checkFusion(train: BuiltModel, deploy: BuiltModel, blocks: readonly FusedConv[], x: tf.Tensor4D): FusionCheck {
  const n = x.shape[0];
  const kernels = blocks.map((b) => {
    const c = b.conv;
    const attrs = deploy.spec.nodes[b.block.conv]!.attrs as unknown as ops.ConvAttrs;
    return {
      match: b.block,
      attrs,
      weight: tf.tensor4d(oihwToHwio(c), [c.kh, c.kw, c.in / c.groups, c.out]),
      bias: tf.tensor1d(c.bias!),
    };
  });
  const bySource = new Map<number, typeof kernels>();
  const byAdd = new Map<number, (typeof kernels)[number]>();
  for (const k of kernels) {
    const s = k.match.sum.source;
    (bySource.get(s) ?? (bySource.set(s, []), bySource.get(s)!)).push(k);
    byAdd.set(k.match.sum.add, k);
  }
  // A block's input, held from when it is computed until the block's sum is.
  const held = new Map<number, tf.Tensor4D>();
  const results = new Map<(typeof kernels)[number], BlockDifference>();
  const asTensor = (id: number, v: tf.Tensor4D | undefined): tf.Tensor4D => {
    const [c, h, w] = train.spec.nodes[id]!.shape;
    return v ? tf.clone(v) : tf.zeros([n, h, w, c]);
  };
  try {
    const trainOut = train.forward(x, false, (id, v) => {
      if (bySource.has(id) && !held.has(id)) held.set(id, asTensor(id, v));
      const k = byAdd.get(id);
      if (!k || results.has(k)) return;
      const src = held.get(k.match.sum.source)!;
      const fused = tf.tidy(() => tf.add(ops.conv(src, k.weight, k.attrs), k.bias));
      const ref = v ?? tf.zerosLike(fused);
      const diff = difference(fused, ref);
      tf.dispose(v ? [fused] : [fused, ref]);
      results.set(k, { name: k.match.name, deploy: deploy.spec.nodes[k.match.conv]!.name, ...diff });
      const source = k.match.sum.source;
      if (bySource.get(source)!.every((b) => results.has(b))) {
        held.get(source)!.dispose();
        held.delete(source);
      }
    });
    const deployOut = deploy.forward(x, false);
    const network = difference(deployOut, trainOut);
    tf.dispose([trainOut, deployOut]);
    return { blocks: kernels.map((k) => results.get(k)!), network };
  } finally {
    tf.dispose([...held.values()]);
    for (const k of kernels) tf.dispose([k.weight, k.bias]);
  }
}
