/**
 * The primitive ops of the DSL on tfjs (NHWC), with PyTorch's semantics (the parity test,
 * test/train/model-builder-torch.test.ts, checks every one against torch.nn):
 *
 * - convolution pads explicitly (PyTorch pads `pad` on every side, also for stride 2, which
 *   differs from TensorFlow's 'same'); groups are dense (1), depthwise (= in channels) or
 *   general (split into groups, concatenated); a dilated kernel is applied as the equivalent
 *   kernel with d − 1 zeros between taps, so that dilation combines with any stride and the
 *   gradients are those of the plain convolution (tfjs' Conv2D gradient refuses dilation);
 * - max pooling pads with −∞, average pooling with zeros, divided by k² (count_include_pad)
 *   or by the number of real pixels under the window;
 * - flatten and fc read C·H·W in PyTorch's order (channels outermost);
 * - hswish = x·relu6(x + 3)/6 and hsigmoid = relu6(x + 3)/6 (Howard et al., "Searching for
 *   MobileNetV3", ICCV 2019), swish = x·σ(x) (Ramachandran et al. 2017);
 * - channel_shuffle: view (g, C/g), transpose, flatten (Zhang et al., "ShuffleNet", CVPR 2018);
 * - upsample: nearest neighbour, as torch.nn.Upsample(scale_factor) (its default mode);
 * - BN-and-pad (`bn(pad=p)`, build.ts): the BN's output zero-padded plus a border mask times
 *   the per-channel value BN gives a zero.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Padding2 = [[number, number], [number, number], [number, number], [number, number]];

const explicitPad = (ph: number, pw: number): Padding2 => [
  [0, 0],
  [ph, ph],
  [pw, pw],
  [0, 0],
];

/** [kh, kw, ci, co] → [d(kh−1)+1, d(kw−1)+1, ci, co] with d − 1 zeros between the taps. */
export function dilateKernel(w: tf.Tensor4D, d: number): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, ci * co]), [
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, d - 1],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [kh * d, kw * d, ci, co]);
  return tf.slice(full, [0, 0, 0, 0], [d * (kh - 1) + 1, d * (kw - 1) + 1, ci, co]) as tf.Tensor4D;
}

export interface ConvAttrs {
  in: number;
  out: number;
  stride: number;
  pad_h: number;
  pad_w: number;
  dilation: number;
  groups: number;
}

/** nn.Conv2d with bias=False; `w` is [kh, kw, in/groups, out]. */
export function conv(x: tf.Tensor4D, w: tf.Tensor4D, a: ConvAttrs): tf.Tensor4D {
  const filter = a.dilation > 1 ? dilateKernel(w, a.dilation) : w;
  const pad = a.pad_h === 0 && a.pad_w === 0 ? 'valid' : explicitPad(a.pad_h, a.pad_w);
  if (a.groups === 1) return tf.conv2d(x, filter, a.stride, pad);
  const [kh, kw] = filter.shape;
  if (a.groups === a.in) {
    // Depthwise: output channel c·m + j reads input channel c, as PyTorch's grouped conv orders them.
    const dw = tf.reshape(filter, [kh, kw, a.in, a.out / a.in]) as tf.Tensor4D;
    return tf.depthwiseConv2d(x, dw, a.stride, pad);
  }
  const xs = tf.split(x, a.groups, 3) as tf.Tensor4D[];
  const ws = tf.split(filter, a.groups, 3) as tf.Tensor4D[];
  return tf.concat(
    xs.map((xi, i) => tf.conv2d(xi, ws[i]!, a.stride, pad)),
    3,
  );
}

/** x zero-padded by `pad` pixels on every side of H and W. */
export function zeroPad(x: tf.Tensor4D, pad: number): tf.Tensor4D {
  return tf.pad(x, explicitPad(pad, pad));
}

/** [1, h + 2·pad, w + 2·pad, 1]: 1 on the `pad`-pixel border, 0 inside. */
export function borderMask(h: number, w: number, pad: number): tf.Tensor4D {
  const H = h + 2 * pad;
  const W = w + 2 * pad;
  const m = new Float32Array(H * W);
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) m[i * W + j] = i < pad || i >= h + pad || j < pad || j >= w + pad ? 1 : 0;
  return tf.tensor4d(m, [1, H, W, 1]);
}

/** x's value with no gradient (PyTorch's `.detach()`). */
export const detach = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

export function maxPool(x: tf.Tensor4D, k: number, stride: number, pad: number): tf.Tensor4D {
  const padded = pad > 0 ? (tf.pad(x, explicitPad(pad, pad), -Infinity) as tf.Tensor4D) : x;
  return tf.maxPool(padded, k, stride, 'valid');
}

/**
 * Per output pixel, k² over the number of real (unpadded) pixels its window covers: the
 * factor that turns a count-include-pad average into PyTorch's count_include_pad=False one.
 * A constant [1, Ho, Wo, 1].
 */
export function excludePadScale(h: number, w: number, k: number, stride: number, pad: number): tf.Tensor4D {
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
  const covered = (o: number, n: number): number => Math.min(o * stride - pad + k, n) - Math.max(o * stride - pad, 0);
  const scale = new Float32Array(ho * wo);
  for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) scale[i * wo + j] = (k * k) / (covered(i, h) * covered(j, w));
  return tf.tensor4d(scale, [1, ho, wo, 1]);
}

export function avgPool(x: tf.Tensor4D, k: number, stride: number, pad: number, excludeScale?: tf.Tensor4D): tf.Tensor4D {
  const padded = pad > 0 ? (tf.pad(x, explicitPad(pad, pad)) as tf.Tensor4D) : x;
  const y = tf.avgPool(padded, k, stride, 'valid');
  return excludeScale ? tf.mul(y, excludeScale) : y;
}

/** [N, H, W, C] → [N, C·H·W] in PyTorch's order (a no-op reshape when H = W = 1). */
export function flattenTorchOrder(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  if (h === 1 && w === 1) return tf.reshape(x, [n, c]);
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, c * h * w]);
}

export function linear(x: tf.Tensor4D, w: tf.Tensor2D, b: tf.Tensor1D | undefined): tf.Tensor4D {
  const y = tf.matMul(flattenTorchOrder(x), w);
  const yb = b ? tf.add(y, b) : y;
  return tf.reshape(yb, [x.shape[0], 1, 1, w.shape[1]]);
}

/** nn.GroupNorm(groups, C) (Wu & He, "Group Normalization", ECCV 2018). */
export function groupNorm(x: tf.Tensor4D, groups: number, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const xg = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
  const norm = tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(tf.reshape(norm, [n, h, w, c]), gamma), beta);
}

export function hardSwish(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
}

export function hardSigmoid(x: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.relu6(tf.add(x, 3)), 6);
}

export function swish(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(x, tf.sigmoid(x));
}

export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const t = tf.transpose(tf.reshape(x, [n, h, w, groups, c / groups]), [0, 1, 2, 4, 3]);
  return tf.reshape(t, [n, h, w, c]);
}

/** Channel group `index` of `parts` equal, contiguous groups (torch.chunk(x, parts, 1)[index]). */
export function splitChannels(x: tf.Tensor4D, parts: number, index: number): tf.Tensor4D {
  const c = x.shape[3] / parts;
  return tf.slice(x, [0, 0, 0, index * c], [-1, -1, -1, c]);
}

export function upsampleNearest(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * scale, x.shape[2] * scale]);
}

/** Inverted dropout (Srivastava et al. 2014), as nn.Dropout in training mode. */
export function dropout(x: tf.Tensor4D, p: number): tf.Tensor4D {
  return tf.dropout(x, p) as tf.Tensor4D;
}
