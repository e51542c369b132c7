/**
 * A tiny CNN for tests, the embedded dataset and `nas train`'s default:
 *
 *   conv3x3(C→w1, stride s1) – BN – ReLU – conv3x3(w1→w2, stride 2) – BN – ReLU – GAP – FC(w2→K)
 *
 * written with tfjs-core ops only (tf.conv2d, tf.moments, ...), so it runs on every backend
 * of the ladder. Padding is PyTorch's `padding=1` (explicit, also for stride 2). Batch norm
 * follows `torch.nn.BatchNorm2d` (Ioffe & Szegedy, ICML 2015) through ./batch-norm.ts's
 * closed-form gradient: batch statistics in training with the biased variance for
 * normalising and the unbiased one for the running estimate, `r ← (1−m)·r + m·batch` with
 * m = 0.1, eps = 1e-5. Convolutions have no bias (BN follows them), as in ResNets.
 *
 * Tensor names follow PyTorch's module naming as reference-nets.ts does (the safetensors
 * names, see docs/training.md); conv weights are in tfjs'
 * HWIO layout [kh, kw, in, out], the FC weight is [in, out]:
 *   trainable: conv1.weight, bn1.weight (γ), bn1.bias (β), conv2.weight, bn2.weight,
 *              bn2.bias, fc.weight, fc.bias
 *   state:     bn1.running_mean, bn1.running_var, bn2.running_mean, bn2.running_var
 *
 * Initialisation (seeded by our own PRNG, so identical on every backend): conv weights
 * Kaiming-normal fan-out as torchvision's ResNet (He et al., ICCV 2015), FC weight and bias
 * U(−1/√in, 1/√in) as `torch.nn.Linear`, γ = 1, β = 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from './model';
import { createRng } from './data/rng';
import { batchNormTrain } from './batch-norm';

export interface TinyCnnOptions {
  inputChannels: number;
  numClasses: number;
  /** Channels of the first and second conv (default 16, 32). */
  widths?: readonly [number, number];
  /** Stride of the first conv (default 1; 2 quarters the cost on 32x32 inputs). */
  firstStride?: 1 | 2;
  seed?: number;
}

const BN_MOMENTUM = 0.1;
const BN_EPS = 1e-5;

// tfjs variable names are global to the engine; a counter keeps two models apart.
let instanceCounter = 0;

interface BatchNorm {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}

/**
 * `tf.conv2d(x, w, stride, padding=1)` (3x3, PyTorch's `padding=1`) with the filter gradient
 * computed as a forward convolution. Why: the pure-JS cpu backend's Conv2DBackpropFilter is
 * a scalar loop that took 1.85 s of a 2.2 s training step of this net (tf.profile, batch 32,
 * 32x32), while its forward Conv2D is ~40x faster per multiply-add; on wasm the same route
 * goes through XNNPACK. The identity (the filter gradient of a convolution is a convolution
 * over the batch dimension; Dumoulin & Visin, "A guide to convolution arithmetic for deep
 * learning", 2016):
 *   dW[ky,kx,ci,co] = Σ_{n,oy,ox} X[n, oy·s+ky−p, ox·s+kx−p, ci] · dY[n,oy,ox,co]
 * is a stride-1 convolution of Xᵀ [ci, H, W, n] (padded as the forward pass) with dYᵀ
 * [oh, ow, n, co] dilated by s, giving [ci, kh', kw', co] with kh' ≥ kh (cropped to kh).
 * The input gradient keeps tfjs' Conv2DBackpropInput. test/train-data/tiny-cnn.test.ts
 * checks both gradients against tf.conv2d's own.
 */
export function conv2dFastFilterGrad(x: tf.Tensor4D, w: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  const pad = Math.floor(w.shape[0] / 2);
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xx, ww, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xx, ww]);
    return {
      value: tf.conv2d(xx, ww, stride, padding),
      gradFunc: (dy4: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [kh, kw] = [ws.shape[0], ws.shape[1]];
        const dx = tf.conv2dTranspose(dy4, ws, xs.shape, stride, padding);
        const xt = tf.transpose(xs, [3, 1, 2, 0]);
        const dyt = tf.transpose(dy4, [1, 2, 0, 3]);
        let dwT = tf.conv2d(xt, dyt, 1, padding, 'NHWC', stride);
        // With stride 2 the last padded row/column can lie outside every window: crop it.
        if (dwT.shape[1] !== kh || dwT.shape[2] !== kw) dwT = tf.slice(dwT, [0, 0, 0, 0], [-1, kh, kw, -1]);
        return [dx, tf.transpose(dwT, [1, 2, 0, 3])];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

function applyBatchNorm(x: tf.Tensor4D, bn: BatchNorm, training: boolean): tf.Tensor4D {
  if (!training) return tf.batchNorm4d(x, bn.mean as tf.Tensor1D, bn.variance as tf.Tensor1D, bn.beta as tf.Tensor1D, bn.gamma as tf.Tensor1D, BN_EPS);
  const { y, mean, variance } = batchNormTrain(x, bn.gamma as tf.Tensor1D, bn.beta as tf.Tensor1D, BN_EPS);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  // Running statistics are bookkeeping; `assign` is not recorded on the gradient tape.
  tf.tidy(() => {
    const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
    bn.mean.assign(tf.add(tf.mul(bn.mean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    bn.variance.assign(tf.add(tf.mul(bn.variance, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
  });
  mean.dispose();
  variance.dispose();
  return y;
}

export function createTinyCnn(opts: TinyCnnOptions): TrainableModel {
  const [w1, w2] = opts.widths ?? [16, 32];
  const s1 = opts.firstStride ?? 1;
  const rng = createRng(opts.seed ?? 0);
  const id = `tiny${instanceCounter++}`;
  const trainable = new Map<string, tf.Variable>();
  const state = new Map<string, tf.Variable>();

  const addVar = (map: Map<string, tf.Variable>, name: string, shape: number[], values: Float32Array, isTrainable: boolean): tf.Variable => {
    // tidy frees the initial tensor; the variable holds its own reference to the data.
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), isTrainable, `${id}.${name}`));
    map.set(name, v);
    return v;
  };
  const kaiming = (kh: number, kw: number, cin: number, cout: number): Float32Array => {
    const std = Math.sqrt(2 / (kh * kw * cout));
    const a = new Float32Array(kh * kw * cin * cout);
    for (let i = 0; i < a.length; i++) a[i] = rng.nextNormal() * std;
    return a;
  };
  const filled = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);
  const makeBn = (prefix: string, c: number): BatchNorm => ({
    gamma: addVar(trainable, `${prefix}.weight`, [c], filled(c, 1), true),
    beta: addVar(trainable, `${prefix}.bias`, [c], filled(c, 0), true),
    mean: addVar(state, `${prefix}.running_mean`, [c], filled(c, 0), false),
    variance: addVar(state, `${prefix}.running_var`, [c], filled(c, 1), false),
  });

  const conv1 = addVar(trainable, 'conv1.weight', [3, 3, opts.inputChannels, w1], kaiming(3, 3, opts.inputChannels, w1), true);
  const bn1 = makeBn('bn1', w1);
  const conv2 = addVar(trainable, 'conv2.weight', [3, 3, w1, w2], kaiming(3, 3, w1, w2), true);
  const bn2 = makeBn('bn2', w2);
  const bound = 1 / Math.sqrt(w2);
  const uniform = (n: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (2 * rng.nextFloat() - 1) * bound;
    return a;
  };
  const fcW = addVar(trainable, 'fc.weight', [w2, opts.numClasses], uniform(w2 * opts.numClasses), true);
  const fcB = addVar(trainable, 'fc.bias', [opts.numClasses], uniform(opts.numClasses), true);

  return {
    name: `tiny-cnn(${w1},${w2})`,
    trainable,
    state,
    forward(x, training) {
      return tf.tidy(() => {
        let h = conv2dFastFilterGrad(x, conv1 as tf.Tensor4D, s1);
        h = tf.relu(applyBatchNorm(h, bn1, training));
        h = conv2dFastFilterGrad(h, conv2 as tf.Tensor4D, 2);
        h = tf.relu(applyBatchNorm(h, bn2, training));
        const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
        return tf.add(tf.matMul(pooled, fcW as tf.Tensor2D), fcB) as tf.Tensor2D;
      });
    },
    paramCount() {
      let n = 0;
      for (const v of trainable.values()) n += v.size;
      return n;
    },
    dispose() {
      for (const v of trainable.values()) v.dispose();
      for (const v of state.values()) v.dispose();
    },
  };
}
