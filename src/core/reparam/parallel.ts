/**
 * Parallel branches on one input, summed, as one convolution (Ding et al. 2021, RepVGG;
 * Ding et al. 2019, ACNet; Ding et al. 2021, Diverse Branch Block "transform II"; Vasu et al.
 * 2023, MobileOne). Convolution is linear in its kernel, so branches that sample the input
 * at the same positions add kernel by kernel: each branch's taps are placed where they read
 * the input, relative to the output pixel, on the grid of the fused kernel. No kernel is ever
 * cropped (ACNet's 1xk and kx1 land on the centre row and column of the kxk).
 */
import { type Conv2d, type ConvShape, ReparamError, gcd, inPerGroup, makeConv } from './conv.js';

/**
 * A grouped convolution as one with fewer groups `g` (g divides conv.groups): block-diagonal,
 * zero between the original groups. The identity as a depthwise 1x1 becomes a kernel with one
 * at the centre of each output channel's own input channel, groups respected.
 */
export function expandGroups(conv: Conv2d, g: number): Conv2d {
  if (conv.groups % g !== 0) throw new ReparamError(`cannot express a conv with ${conv.groups} groups with ${g} groups`, 'groups-mismatch');
  if (g === conv.groups) return conv;
  const target = makeConv(
    { out: conv.out, in: conv.in, groups: g, kh: conv.kh, kw: conv.kw, stride: conv.stride, pad: conv.pad, dilation: conv.dilation },
    undefined,
    conv.bias,
  );
  const outPer = conv.out / conv.groups;
  const inPer = inPerGroup(conv);
  const outPerT = conv.out / g;
  const inPerT = conv.in / g;
  const taps = conv.kh * conv.kw;
  for (let o = 0; o < conv.out; o++) {
    const first = Math.floor(o / outPer) * inPer - Math.floor(o / outPerT) * inPerT;
    for (let i = 0; i < inPer; i++) {
      const src = (o * inPer + i) * taps;
      const dst = (o * inPerT + first + i) * taps;
      for (let t = 0; t < taps; t++) target.weight[dst + t] = conv.weight[src + t]!;
    }
  }
  return target;
}

/** The positions (relative to the output pixel times the stride) one dimension of a branch reads. */
interface Axis {
  k: number;
  pad: number;
  dil: number;
}

/** Where the fused kernel's taps lie along one dimension: first offset, spacing, count. */
interface FusedAxis {
  start: number;
  dil: number;
  k: number;
}

function fuseAxis(axes: readonly Axis[], dim: string): FusedAxis {
  // Twice the centre's offset: equal centres are what makes output sizes agree at every input
  // size (floor((n + 2p - d(k-1) - 1)/s) + 1 depends on 2p - d(k-1) only).
  const centre = (a: Axis) => (a.k - 1) * a.dil - 2 * a.pad;
  const c0 = centre(axes[0]!);
  const bad = axes.find((a) => centre(a) !== c0);
  if (bad) {
    const a = axes[0]!;
    throw new ReparamError(
      `kernel centres differ in ${dim}: a ${a.k}-tap kernel (dilation ${a.dil}, padding ${a.pad}) and a ${bad.k}-tap kernel (dilation ${bad.dil}, padding ${bad.pad}); ` +
        `their outputs agree only at some input sizes, so no single convolution equals their sum`,
      'padding-mismatch',
    );
  }
  let start = Infinity;
  let end = -Infinity;
  for (const a of axes) {
    start = Math.min(start, -a.pad);
    end = Math.max(end, (a.k - 1) * a.dil - a.pad);
  }
  let dil = 0;
  for (const a of axes) for (let j = 0; j < a.k; j++) dil = gcd(dil, j * a.dil - a.pad - start);
  dil ||= 1;
  return { start, dil, k: (end - start) / dil + 1 };
}

export interface ParallelPlan {
  readonly shape: ConvShape;
  /** First tap offset of the fused kernel in each dimension (minus its padding). */
  readonly start: readonly [number, number];
}

/**
 * Where the sum of convolutions of one input lands as one convolution, from their geometry
 * alone: the fused kernel covers every branch's taps on the coarsest common grid, its groups
 * are the greatest common divisor of the branches' groups. Throws a ReparamError when the
 * branches disagree on channels or stride, or sample around different centres.
 */
export function planParallel(branches: readonly ConvShape[]): ParallelPlan {
  const first = branches[0];
  if (!first) throw new ReparamError('no branches to fuse', 'shape');
  for (const b of branches) {
    if (b.in !== first.in || b.out !== first.out) {
      throw new ReparamError(`branches map ${first.in} -> ${first.out} and ${b.in} -> ${b.out} channels`, 'channel-mismatch');
    }
    if (b.stride[0] !== first.stride[0] || b.stride[1] !== first.stride[1]) {
      throw new ReparamError(`branches have strides ${first.stride.join('x')} and ${b.stride.join('x')}`, 'stride-mismatch');
    }
  }
  const h = fuseAxis(
    branches.map((b) => ({ k: b.kh, pad: b.pad[0], dil: b.dilation[0] })),
    'height',
  );
  const w = fuseAxis(
    branches.map((b) => ({ k: b.kw, pad: b.pad[1], dil: b.dilation[1] })),
    'width',
  );
  const groups = branches.reduce((g, b) => gcd(g, b.groups), 0);
  return {
    shape: { out: first.out, in: first.in, groups, kh: h.k, kw: w.k, stride: first.stride, pad: [-h.start, -w.start], dilation: [h.dil, w.dil] },
    start: [h.start, w.start],
  };
}

/** The sum of convolutions of one input as one convolution with bias (see planParallel). */
export function sumParallel(branches: readonly Conv2d[]): Conv2d {
  const plan = planParallel(branches);
  const { groups, kh, kw, dilation } = plan.shape;
  const first = branches[0]!;
  const h = { start: plan.start[0], dil: dilation[0], k: kh };
  const w = { start: plan.start[1], dil: dilation[1], k: kw };
  const inPer = first.in / groups;
  const acc = new Float64Array(first.out * inPer * h.k * w.k);
  const bias = new Float64Array(first.out);
  for (const raw of branches) {
    const b = expandGroups(raw, groups);
    for (let o = 0; o < b.out; o++) {
      bias[o]! += b.bias?.[o] ?? 0;
      for (let i = 0; i < inPer; i++) {
        for (let y = 0; y < b.kh; y++) {
          const Y = (y * b.dilation[0] - b.pad[0] - h.start) / h.dil;
          for (let x = 0; x < b.kw; x++) {
            const X = (x * b.dilation[1] - b.pad[1] - w.start) / w.dil;
            acc[((o * inPer + i) * h.k + Y) * w.k + X]! += b.weight[((o * inPer + i) * b.kh + y) * b.kw + x]!;
          }
        }
      }
    }
  }
  return makeConv(plan.shape, Float32Array.from(acc), Float32Array.from(bias));
}
