/**
 * Folding an eval-mode batch norm into the convolution before it, and an identity branch as a
 * convolution: the two elementary steps of every structural reparameterization (Ding, Zhang,
 * Ma, Han, Ding & Sun 2021, "RepVGG: Making VGG-style ConvNets Great Again", Sec. 3.3).
 * Arithmetic is in float64; results are rounded to float32 once.
 */
import { type BatchNorm, type Conv2d, checkBatchNorm, inPerGroup, makeConv } from './conv.js';

/**
 * BN(conv(x)) as one convolution: W' = W·γ/σ and b' = β + (b − μ)·γ/σ, with σ = sqrt(var + ε)
 * (b = 0 for a conv without bias).
 */
export function foldBatchNorm(conv: Conv2d, bn: BatchNorm): Conv2d {
  checkBatchNorm(bn, conv.out, 'foldBatchNorm');
  const per = inPerGroup(conv) * conv.kh * conv.kw;
  const weight = new Float32Array(conv.weight.length);
  const bias = new Float32Array(conv.out);
  for (let o = 0; o < conv.out; o++) {
    const scale = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + bn.eps);
    for (let j = o * per; j < (o + 1) * per; j++) weight[j] = conv.weight[j]! * scale;
    bias[o] = bn.beta[o]! + ((conv.bias?.[o] ?? 0) - bn.mean[o]!) * scale;
  }
  return { ...conv, weight, bias };
}

/**
 * The identity on `channels` channels as a depthwise 1x1 convolution (weight 1): summed with
 * other branches it lands at the centre of their kernel, in each output channel's own input
 * channel, whatever their groups (parallel.ts expands it to them).
 */
export function identityConv(channels: number): Conv2d {
  return makeConv({ out: channels, in: channels, groups: channels, kh: 1 }, new Float32Array(channels).fill(1));
}

/** An identity branch followed by BN (RepVGG's and MobileOne's skip branch) as a convolution. */
export function batchNormAsConv(bn: BatchNorm, channels: number): Conv2d {
  return foldBatchNorm(identityConv(channels), bn);
}
