/**
 * Branches of two convolutions in a row, and average pooling, as one convolution (Ding,
 * Zhang, Han & Ding 2021, "Diverse Branch Block: Building a Convolution as an Inception-like
 * Unit", transforms III and V).
 */
import { type Conv2d, type ConvShape, ReparamError, gcd, makeConv } from './conv.js';
import { expandGroups } from './parallel.js';

/**
 * `second(BN-and-pad(first(x)))` as one convolution, where `first` is a 1x1 convolution
 * (stride 1, no padding; with the bias of its folded BN) whose output is padded by `bnPad`
 * pixels with its bias values rather than zeros (DBB's BN-and-pad, `bn(pad=p)` in the DSL),
 * and `second` is unpadded. That border is exactly what `first` gives a zero-padded input, so
 * the merged kernel, W[o,i] = Σ_m W2[o,m]·W1[m,i], with bias b2 + Σ W2·b1, pads the input with
 * `bnPad` zeros like any conv. Zero padding after the BN (`second` padded itself) would make
 * the border differ: that is refused, and the static check (check-graph.ts) reports it.
 */
export function mergeSequential(first: Conv2d, second: Conv2d, bnPad = 0): Conv2d {
  const shape = planSequential(first, second, bnPad, first.bias?.some((b) => b !== 0) ?? false);
  const g = shape.groups;
  const a = expandGroups(first, g);
  const b = expandGroups(second, g);
  const inPer = a.in / g;
  const midPer = a.out / g;
  const outPer = b.out / g;
  const taps = b.kh * b.kw;
  const weight = new Float64Array(b.out * inPer * taps);
  const bias = new Float64Array(b.out);
  for (let o = 0; o < b.out; o++) {
    const mid0 = Math.floor(o / outPer) * midPer;
    let bo = b.bias?.[o] ?? 0;
    for (let m = 0; m < midPer; m++) {
      const w2 = (o * midPer + m) * taps;
      const w1 = (mid0 + m) * inPer;
      const b1 = a.bias?.[mid0 + m] ?? 0;
      for (let t = 0; t < taps; t++) {
        const v = b.weight[w2 + t]!;
        bo += v * b1;
        if (v === 0) continue;
        for (let i = 0; i < inPer; i++) weight[(o * inPer + i) * taps + t]! += v * a.weight[w1 + i]!;
      }
    }
    bias[o] = bo;
  }
  return makeConv(shape, Float32Array.from(weight), Float32Array.from(bias));
}

/**
 * The geometry of mergeSequential's result, or its refusal: `first` must be an unpadded
 * stride-1 1x1 conv, and `second` may not pad with zeros what a bias (`firstHasBias`, a BN)
 * made non-zero.
 */
export function planSequential(first: ConvShape, second: ConvShape, bnPad: number, firstHasBias: boolean): ConvShape {
  if (first.kh !== 1 || first.kw !== 1 || first.stride[0] !== 1 || first.stride[1] !== 1 || first.pad[0] !== 0 || first.pad[1] !== 0) {
    throw new ReparamError(
      `a ${first.kh}x${first.kw} conv (stride ${first.stride.join('x')}, padding ${first.pad.join('x')}) before a ${second.kh}x${second.kw} conv: only an unpadded stride-1 1x1 conv merges into the next conv`,
      'sequential-first',
    );
  }
  if ((second.pad[0] > 0 || second.pad[1] > 0) && firstHasBias) {
    throw new ReparamError(
      `a conv padded with zeros (${second.pad.join('x')}) after a BN: the border would read BN(0), not zero, once fused; pad in the BN instead (bn(pad=p), DBB's BN-and-pad)`,
      'zero-pad-after-bn',
    );
  }
  if (first.out !== second.in) throw new ReparamError(`the first conv gives ${first.out} channels, the second reads ${second.in}`, 'channel-mismatch');
  const g = gcd(first.groups, second.groups);
  return {
    out: second.out,
    in: first.in,
    groups: g,
    kh: second.kh,
    kw: second.kw,
    stride: second.stride,
    pad: [second.pad[0] + bnPad, second.pad[1] + bnPad],
    dilation: second.dilation,
  };
}

export interface AvgPool {
  k: number;
  stride: number;
  pad: number;
  /** PyTorch's default (true): padded zeros count in the mean. */
  countIncludePad?: boolean;
}

/**
 * kxk average pooling as a depthwise convolution with weights 1/k² (DBB transform V). Pooling
 * that leaves the padding out of the mean divides by fewer taps at the border: no fixed
 * kernel equals it, so that is refused.
 */
export function avgPoolAsConv(channels: number, pool: AvgPool): Conv2d {
  return makeConv(avgPoolShape(channels, pool), new Float32Array(channels * pool.k * pool.k).fill(1 / (pool.k * pool.k)));
}

export function avgPoolShape(channels: number, pool: AvgPool): ConvShape {
  if (pool.countIncludePad === false && pool.pad > 0) {
    throw new ReparamError(`average pooling with padding ${pool.pad} that excludes the padding from the mean is not a convolution`, 'avgpool-exclude-pad');
  }
  const p = [pool.pad, pool.pad] as const;
  return { out: channels, in: channels, groups: channels, kh: pool.k, kw: pool.k, stride: [pool.stride, pool.stride], pad: p, dilation: [1, 1] };
}
