/**
 * Batch-norm statistics of a subnet recomputed before it is scored. A supernet's running
 * statistics mix every path trained through a BN, so they fit none of them: SPOS (Guo et al.
 * 2020, §3.3) recomputes each candidate's statistics on training images before scoring it,
 * as do the one-shot models of Bender et al. (ICML 2018) and OFA (Cai et al., ICLR 2020).
 *
 * As PyTorch's `reset_running_stats()` then forward passes in training mode with
 * `momentum=None`: each BN's running mean becomes the mean of its batch means, its running
 * variance the mean of its unbiased batch variances, over the calibration batches. Batches
 * are normalised with their own statistics while this runs (training mode), so a BN sees
 * the activations the BNs before it give in training, as in PyTorch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/pipeline.js';
import type { BuiltModel } from '../model-builder/index.js';

/** Per BN (by its node name): the recomputed running mean and variance. */
export type RecalibratedStats = Map<string, { mean: Float64Array; variance: Float64Array }>;

/**
 * Recomputes the running statistics of every BN of `model` from `batches` (at least one),
 * writes them into the model's state and returns them. Uses no gradient; frees what it makes.
 */
export function recalibrateBatchNorm(model: BuiltModel, batches: readonly Batch[]): RecalibratedStats {
  if (batches.length === 0) throw new RangeError('batch-norm recalibration needs at least one batch');
  // BN nodes by the id of their input, whose output the observer sees before the BN runs.
  const byInput = new Map<number, { name: string; c: number }[]>();
  for (const node of model.spec.nodes) {
    if (node.op !== 'bn') continue;
    const list = byInput.get(node.inputs[0]!) ?? (byInput.set(node.inputs[0]!, []), byInput.get(node.inputs[0]!)!);
    list.push({ name: node.name, c: node.attrs['c'] as number });
  }
  const sums: RecalibratedStats = new Map();
  for (const list of byInput.values()) for (const b of list) sums.set(b.name, { mean: new Float64Array(b.c), variance: new Float64Array(b.c) });
  if (sums.size === 0) return sums;
  for (const batch of batches) {
    tf.tidy(() => {
      const x = tf.tensor4d(batch.x, batch.shape, 'float32');
      const logits = model.forward(x, true, (id, value) => {
        const bns = byInput.get(id);
        if (!bns) return;
        // A known-zero input (behind a `zero` op): mean 0, variance 0.
        let mean: Float32Array | undefined;
        let variance: Float32Array | undefined;
        if (value) {
          const m = value.shape[0] * value.shape[1] * value.shape[2];
          const moments = tf.moments(value, [0, 1, 2]);
          mean = moments.mean.dataSync() as Float32Array;
          // Unbiased, as PyTorch's running variance.
          variance = tf.mul(moments.variance, m / Math.max(1, m - 1)).dataSync() as Float32Array;
        }
        for (const b of bns) {
          const s = sums.get(b.name)!;
          for (let ch = 0; ch < b.c; ch++) {
            s.mean[ch] += mean ? mean[ch]! : 0;
            s.variance[ch] += variance ? variance[ch]! : 0;
          }
        }
      });
      logits.dispose();
    });
  }
  const state = model.state;
  for (const [name, s] of sums) {
    for (let ch = 0; ch < s.mean.length; ch++) {
      s.mean[ch] /= batches.length;
      s.variance[ch] /= batches.length;
    }
    const rm = state.get(`${name}.running_mean`);
    const rv = state.get(`${name}.running_var`);
    if (!rm || !rv) throw new Error(`batch norm ${name} has no running statistics`);
    tf.tidy(() => {
      rm.assign(tf.tensor1d(Float32Array.from(s.mean)));
      rv.assign(tf.tensor1d(Float32Array.from(s.variance)));
    });
  }
  return sums;
}
