/**
 * Shape and cost rules of the primitive ops, kept apart from evaluation (as tfjs-layers keeps
 * `computeOutputShape` apart from `call`). Conventions (docs/cost-model.md): MACs are the
 * multiply-accumulates of convolutions and fully connected layers (torchvision / pycls /
 * fvcore "flops"); BN, activations, pooling and element-wise ops cost no MACs; parameters are
 * trainable scalars (BN running statistics are buffers, not parameters); activations are the
 * output elements of convolutions and fully connected layers (pycls' `acts`).
 */
import { type Shape, formatShape, sameShape } from './shape.js';

export type AttrValue = number | boolean | string;
export type Attrs = Record<string, AttrValue>;

export interface OpResult {
  shape: Shape;
  params: number;
  macs: number;
  acts: number;
}

/** Thrown by a rule; `attr` names the attribute at fault so the diagnostic can point at it. */
export class OpError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly attr?: string,
  ) {
    super(message);
  }
}

export interface OpRule {
  /** Minimum and maximum number of tensor inputs (max Infinity for variadic ops). */
  readonly inputs: readonly [number, number];
  infer(inputs: readonly Shape[], a: Attrs): OpResult;
}

const int = (a: Attrs, k: string): number => a[k] as number;
const bool = (a: Attrs, k: string): boolean => a[k] as boolean;

function requirePositive(a: Attrs, k: string, min = 1): void {
  const v = int(a, k);
  if (!Number.isInteger(v) || v < min) {
    throw new OpError(`\`${k}\` must be an integer >= ${min}, found ${v}`, 'attribute-range', k);
  }
}

/**
 * An attribute whose -1 stands for a default that depends on others (`pad = -1` is "same",
 * `stride = -1` of a pool is k): any other value must be an integer >= min. Without this check
 * `pad = -100` silently meant "same".
 */
function requireAtLeastOrDefault(a: Attrs, k: string, min: number, meaning: string): void {
  const v = a[k] as number | undefined;
  if (v === undefined || v === -1) return;
  if (!Number.isInteger(v) || v < min) {
    throw new OpError(`\`${k}\` must be an integer >= ${min}, or -1 for ${meaning}; found ${v}`, 'attribute-range', k);
  }
}

/** PyTorch's output size: floor((n + 2p - d(k-1) - 1) / s) + 1. */
function outSize(n: number, k: number, s: number, p: number, d: number, what: string): number {
  const o = Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  if (o < 1) {
    throw new OpError(
      `${what} drives the resolution below 1: input ${n}, kernel ${k}, stride ${s}, padding ${p}, dilation ${d} gives ${o}`,
      'resolution-below-one',
    );
  }
  return o;
}

function samePad(k: number, d: number): number {
  return Math.floor((d * (k - 1)) / 2);
}

function same(x: Shape): OpResult {
  return { shape: x, params: 0, macs: 0, acts: 0 };
}

function convLike(x: Shape, out: number, k: number, stride: number, padAttr: number, dil: number, groups: number, bias: boolean, kw = k): OpResult {
  if (x.c % groups !== 0) {
    throw new OpError(`input channels ${x.c} are not divisible by groups ${groups}`, 'groups-divisibility', 'groups');
  }
  if (out % groups !== 0) {
    throw new OpError(`output channels ${out} are not divisible by groups ${groups}`, 'groups-divisibility', 'groups');
  }
  const padH = padAttr < 0 ? samePad(k, dil) : padAttr;
  const padW = padAttr < 0 ? samePad(kw, dil) : padAttr;
  const h = outSize(x.h, k, stride, padH, dil, 'conv');
  const w = outSize(x.w, kw, stride, padW, dil, 'conv');
  const perOut = k * kw * (x.c / groups);
  const params = perOut * out + (bias ? out : 0);
  return { shape: { c: out, h, w }, params, macs: perOut * out * h * w, acts: out * h * w };
}

function pool(x: Shape, a: Attrs, what: string): OpResult {
  requirePositive(a, 'k');
  const k = int(a, 'k');
  requireAtLeastOrDefault(a, 'stride', 1, 'a stride of k');
  const stride = int(a, 'stride') < 0 ? k : int(a, 'stride');
  const pad = int(a, 'pad');
  if (pad < 0 || pad > k / 2) {
    throw new OpError(`\`pad\` must be between 0 and k/2 = ${k / 2}, found ${pad}`, 'attribute-range', 'pad');
  }
  return same({ c: x.c, h: outSize(x.h, k, stride, pad, 1, what), w: outSize(x.w, k, stride, pad, 1, what) });
}

function sameShapes(inputs: readonly Shape[]): Shape {
  const first = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) {
    const s = inputs[i]!;
    if (!sameShape(first, s)) throw new OpError(`inputs of different shapes: ${shapeDifference(first, s, i + 1)}`, 'shape-mismatch');
  }
  return first;
}

/**
 * Which input differs from the first, in what, and the usual fix: a 1x1 projection for
 * channels (the shortcut of He et al. 2016, Deep Residual Learning, option B), matching strides
 * or a pooling for the spatial size. Keeps `expected A, found B` (the quick fix reads it).
 */
function shapeDifference(first: Shape, s: Shape, n: number): string {
  const found = `input ${n} is ${formatShape(s)}, input 1 is ${formatShape(first)} (expected ${formatShape(first)}, found ${formatShape(s)})`;
  const spatialSame = first.h === s.h && first.w === s.w;
  if (spatialSame) return `${found}: the channels differ; project input ${n} to ${first.c} channels, e.g. \`-> conv(${first.c}, k=1)\``;
  const larger = first.h * first.w > s.h * s.w ? 1 : n;
  const ratio = larger === 1 ? first.h / s.h : s.h / first.h;
  const pool = Number.isInteger(ratio) && ratio === (larger === 1 ? first.w / s.w : s.w / first.w) ? `, e.g. \`-> avgpool(${ratio})\`` : '';
  const channels = first.c === s.c ? '' : ` and project to the same channels (\`-> conv(C, k=1)\`)`;
  return `${found}: the spatial sizes differ; give input ${larger} the same stride as the other${pool}${channels}`;
}

/** Attributes that must be positive (constants: a list literal in the rule was made per call). */
const CONV_POSITIVE = ['out', 'k', 'stride', 'dilation', 'groups'] as const;
const DWCONV_POSITIVE = ['k', 'stride', 'dilation', 'multiplier'] as const;

const unary: OpRule = { inputs: [1, 1], infer: (xs) => same(xs[0]!) };

export const OP_RULES: Readonly<Record<string, OpRule>> = {
  conv: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      for (let i = 0; i < CONV_POSITIVE.length; i++) requirePositive(a, CONV_POSITIVE[i]!);
      requireAtLeastOrDefault(a, 'pad', 0, '"same" padding');
      requireAtLeastOrDefault(a, 'kh', 1, 'k');
      requireAtLeastOrDefault(a, 'kw', 1, 'k');
      // kh/kw give asymmetric kernels (ACNet's 1x3 and 3x1 branches); -1 means k.
      const kh = int(a, 'kh') < 0 ? int(a, 'k') : int(a, 'kh');
      const kw = int(a, 'kw') < 0 ? int(a, 'k') : int(a, 'kw');
      return convLike(x!, int(a, 'out'), kh, int(a, 'stride'), int(a, 'pad'), int(a, 'dilation'), int(a, 'groups'), bool(a, 'bias'), kw);
    },
  },
  dwconv: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      for (let i = 0; i < DWCONV_POSITIVE.length; i++) requirePositive(a, DWCONV_POSITIVE[i]!);
      requireAtLeastOrDefault(a, 'pad', 0, '"same" padding');
      return convLike(x!, x!.c * int(a, 'multiplier'), int(a, 'k'), int(a, 'stride'), int(a, 'pad'), int(a, 'dilation'), x!.c, bool(a, 'bias'));
    },
  },
  maxpool: { inputs: [1, 1], infer: (xs, a) => pool(xs[0]!, a, 'maxpool') },
  avgpool: { inputs: [1, 1], infer: (xs, a) => pool(xs[0]!, a, 'avgpool') },
  gap: { inputs: [1, 1], infer: (xs) => same({ c: xs[0]!.c, h: 1, w: 1 }) },
  flatten: { inputs: [1, 1], infer: (xs) => same({ c: xs[0]!.c * xs[0]!.h * xs[0]!.w, h: 1, w: 1 }) },
  bn: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0]!;
      // `pad`: DBB's BN-and-pad (stdlib/ops.ts); absent in rules called without defaults.
      const pad = (a['pad'] as number | undefined) ?? 0;
      if (!Number.isInteger(pad) || pad < 0) throw new OpError(`\`pad\` must be an integer >= 0, found ${pad}`, 'attribute-range', 'pad');
      const shape = pad === 0 ? x : { c: x.c, h: x.h + 2 * pad, w: x.w + 2 * pad };
      return { shape, params: bool(a, 'affine') ? 2 * x.c : 0, macs: 0, acts: 0 };
    },
  },
  gn: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      requirePositive(a, 'groups');
      if (x!.c % int(a, 'groups') !== 0) {
        throw new OpError(`channels ${x!.c} are not divisible by groups ${int(a, 'groups')}`, 'groups-divisibility', 'groups');
      }
      return { shape: x!, params: 2 * x!.c, macs: 0, acts: 0 };
    },
  },
  relu: unary,
  relu6: unary,
  hswish: unary,
  hsigmoid: unary,
  swish: unary,
  sigmoid: unary,
  identity: unary,
  dropout: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      const p = a['p'] as number;
      if (!(p >= 0 && p < 1)) throw new OpError(`\`p\` must be in [0, 1), found ${p}`, 'attribute-range', 'p');
      return same(x!);
    },
  },
  fc: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      requirePositive(a, 'out');
      const fin = x!.c * x!.h * x!.w;
      const out = int(a, 'out');
      return { shape: { c: out, h: 1, w: 1 }, params: fin * out + (bool(a, 'bias') ? out : 0), macs: fin * out, acts: out };
    },
  },
  zero: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      requirePositive(a, 'stride');
      requireAtLeastOrDefault(a, 'out', 1, 'the input channels');
      const s = int(a, 'stride');
      const out = int(a, 'out') < 0 ? x!.c : int(a, 'out');
      // x[:, :, ::s, ::s] as in the NAS-Bench-201 and DARTS reference code.
      return same({ c: out, h: Math.ceil(x!.h / s), w: Math.ceil(x!.w / s) });
    },
  },
  add: { inputs: [2, Infinity], infer: (xs) => same(sameShapes(xs)) },
  concat: {
    inputs: [1, Infinity],
    infer(xs) {
      const first = xs[0]!;
      let c = 0;
      for (let i = 0; i < xs.length; i++) {
        const s = xs[i]!;
        if (s.h !== first.h || s.w !== first.w) {
          throw new OpError(
            `inputs of different spatial sizes (channels may differ): input ${i + 1} is ${s.h}×${s.w}, input 1 is ${first.h}×${first.w} (expected ${first.h}×${first.w}, found ${s.h}×${s.w})`,
            'shape-mismatch',
          );
        }
        c += s.c;
      }
      return same({ c, h: first.h, w: first.w });
    },
  },
  mul: {
    inputs: [2, Infinity],
    infer(xs) {
      const first = xs[0]!;
      for (let i = 1; i < xs.length; i++) {
        const s = xs[i]!;
        const broadcast = s.c === first.c && s.h === 1 && s.w === 1;
        if (!sameShape(first, s) && !broadcast) {
          throw new OpError(
            `needs inputs of one shape or a ${first.c}×1×1 gate: input ${i + 1} is ${formatShape(s)} (expected ${formatShape(first)}, found ${formatShape(s)})`,
            'shape-mismatch',
          );
        }
      }
      return same(first);
    },
  },
  channel_shuffle: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      requirePositive(a, 'groups');
      if (x!.c % int(a, 'groups') !== 0) {
        throw new OpError(`channels ${x!.c} are not divisible by groups ${int(a, 'groups')}`, 'groups-divisibility', 'groups');
      }
      return same(x!);
    },
  },
  split: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      requirePositive(a, 'parts');
      const parts = int(a, 'parts');
      const index = int(a, 'index');
      if (x!.c % parts !== 0) {
        throw new OpError(`channels ${x!.c} are not divisible into ${parts} parts`, 'groups-divisibility', 'parts');
      }
      if (!(index >= 0 && index < parts)) {
        throw new OpError(`\`index\` must be in 0..${parts - 1}, found ${index}`, 'attribute-range', 'index');
      }
      return same({ c: x!.c / parts, h: x!.h, w: x!.w });
    },
  },
  upsample: {
    inputs: [1, 1],
    infer(xs, a) {
      const x = xs[0];
      requirePositive(a, 'scale');
      return same({ c: x!.c, h: x!.h * int(a, 'scale'), w: x!.w * int(a, 'scale') });
    },
  },
};
