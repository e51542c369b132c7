/**
 * Training-mode batch normalization over N, H, W of an NHWC tensor, with its closed-form
 * gradient (Ioffe & Szegedy, "Batch Normalization", ICML 2015, §3):
 *   x̂ = (x − μ)·σ⁻¹,  y = γ·x̂ + β,  σ⁻¹ = 1/√(var + ε)  (var biased, over M = N·H·W)
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·σ⁻¹/M · (M·dy − dβ − x̂·dγ).
 * Differentiating the composite of mean/sub/square/rsqrt ops instead costs about a dozen
 * full passes over the activation in each direction; this costs two forward, two backward.
 *
 * Where a backend registers the fused kernels `NasBatchNormTrain` / `NasBatchNormGrad`
 * (the wasm backend does, see wasm-kernels/batch-norm.ts), they run as single heap loops;
 * other backends use the same formulas with tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';

export const BATCH_NORM_TRAIN = 'NasBatchNormTrain';
export const BATCH_NORM_GRAD = 'NasBatchNormGrad';

/** `mean` and `variance` are kept out of any tidy scope: the caller must dispose them. */
export interface BatchNormTrainResult { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D }

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Forward statistics and output with tfjs ops: [y, mean, variance, invStd]. */
function forwardOps(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor[] {
  const mean = tf.mean(x, [0, 1, 2]);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), [0, 1, 2]);
  const invStd = tf.rsqrt(tf.add(variance, eps));
  const y = tf.add(tf.mul(xc, tf.mul(invStd, gamma)), beta);
  return [y, mean, variance, invStd];
}

/**
 * Batch norm in training mode. Returns the output (differentiable with respect to x, γ, β)
 * and the batch mean and biased variance (constants, for the running statistics).
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): BatchNormTrainResult {
  const fused = hasKernel(BATCH_NORM_TRAIN) && hasKernel(BATCH_NORM_GRAD);
  let mean!: tf.Tensor1D, variance!: tf.Tensor1D;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, gIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    let y: tf.Tensor4D, invStd: tf.Tensor1D;
    if (fused) {
      const outs = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xIn, gamma: gIn, beta: bIn }, { eps }) as tf.Tensor[];
      [y, mean, variance, invStd] = outs as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    } else {
      [y, mean, variance, invStd] = forwardOps(xIn as tf.Tensor4D, gIn as tf.Tensor1D, bIn as tf.Tensor1D, eps) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    }
    // The op's scope frees everything but its output; the statistics leave it kept, and
    // the caller disposes them (see BatchNormTrainResult).
    tf.keep(mean);
    tf.keep(variance);
    save([xIn, gIn, mean, invStd]);
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, g, mu, inv] = saved;
      if (fused) return tf.engine().runKernel(BATCH_NORM_GRAD, { x: xs, dy, gamma: g, mean: mu, invStd: inv }, {}) as tf.Tensor[];
      const m = xs.shape[0]! * xs.shape[1]! * xs.shape[2]!;
      const xhat = tf.mul(tf.sub(xs, mu), inv);
      const dbeta = tf.sum(dy, [0, 1, 2]);
      const dgamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
      const k = tf.div(tf.mul(g, inv), m);
      const dx = tf.mul(k, tf.sub(tf.sub(tf.mul(dy, m), dbeta), tf.mul(xhat, dgamma)));
      return [dx, dgamma, dbeta];
    };
    return { value: y as tf.Tensor4D, gradFunc };
  });
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return { y, mean, variance };
}
