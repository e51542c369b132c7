/**
 * The tensors structural reparameterization works on, in PyTorch's layouts so that they
 * compare directly with `torch.nn.functional`: a convolution's weight is OIHW
 * ([out, in/groups, kh, kw]), a batch norm's statistics are per channel, and BN is always in
 * eval mode (running estimates: the train-mode mistake cannot happen here).
 */

export type Pair = readonly [number, number];

/** A convolution's geometry: what the static check (check-graph.ts) reasons about. */
export interface ConvShape {
  readonly out: number;
  readonly in: number;
  readonly groups: number;
  readonly kh: number;
  readonly kw: number;
  readonly stride: Pair;
  readonly pad: Pair;
  readonly dilation: Pair;
}

export interface Conv2d extends ConvShape {
  /** OIHW: [out, in / groups, kh, kw]. */
  readonly weight: Float32Array;
  readonly bias?: Float32Array;
}

/** BatchNorm2d in eval mode: y = (x - mean) / sqrt(variance + eps) * gamma + beta. */
export interface BatchNorm {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  readonly eps: number;
}

/** Why a set of branches does not fuse into one convolution; `code` names the rule. */
export class ReparamError extends Error {
  constructor(
    message: string,
    readonly code: ReparamErrorCode,
  ) {
    super(message);
  }
}

export type ReparamErrorCode =
  | 'shape' // tensor sizes disagree with the declared geometry
  | 'channel-mismatch' // branches read or write different channel counts
  | 'stride-mismatch'
  | 'padding-mismatch' // kernel centres differ: equal only at particular input sizes, if at all
  | 'identity-channels' // an identity branch where input and output widths differ
  | 'identity-stride' // an identity branch on a strided block
  | 'groups-mismatch'
  | 'zero-pad-after-bn' // a conv that pads a BN's output with zeros: not a conv of the padded input
  | 'sequential-first' // a sequential merge whose first conv is not 1x1, stride 1, unpadded
  | 'avgpool-exclude-pad' // average pooling that excludes padding is not a fixed kernel
  | 'deploy-kernel'; // the branches fuse, but not into the block's deployment kernel

export interface ConvGeometry {
  out: number;
  in: number;
  groups?: number;
  kh: number;
  kw?: number;
  stride?: number | Pair;
  pad?: number | Pair;
  dilation?: number | Pair;
}

const pair = (v: number | Pair | undefined, dflt: number): Pair => (v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v);

/** A convolution of this geometry with the given (or zero) weight and optional bias. */
export function makeConv(g: ConvGeometry, weight?: Float32Array, bias?: Float32Array): Conv2d {
  const groups = g.groups ?? 1;
  const kw = g.kw ?? g.kh;
  if (g.in % groups !== 0 || g.out % groups !== 0) {
    throw new ReparamError(`channels ${g.in} -> ${g.out} are not divisible by groups ${groups}`, 'groups-mismatch');
  }
  const size = g.out * (g.in / groups) * g.kh * kw;
  const w = weight ?? new Float32Array(size);
  if (w.length !== size) throw new ReparamError(`weight has ${w.length} elements, expected ${size} (OIHW ${g.out}x${g.in / groups}x${g.kh}x${kw})`, 'shape');
  if (bias && bias.length !== g.out) throw new ReparamError(`bias has ${bias.length} elements, expected ${g.out}`, 'shape');
  return {
    out: g.out,
    in: g.in,
    groups,
    kh: g.kh,
    kw,
    stride: pair(g.stride, 1),
    pad: pair(g.pad, 0),
    dilation: pair(g.dilation, 1),
    weight: w,
    ...(bias ? { bias } : {}),
  };
}

/** Input channels per group. */
export function inPerGroup(c: Conv2d): number {
  return c.in / c.groups;
}

/** Flat OIHW index. */
export function wIndex(c: Conv2d, o: number, i: number, y: number, x: number): number {
  return ((o * inPerGroup(c) + i) * c.kh + y) * c.kw + x;
}

export function checkBatchNorm(bn: BatchNorm, channels: number, what: string): void {
  for (const [name, v] of [
    ['gamma', bn.gamma],
    ['beta', bn.beta],
    ['mean', bn.mean],
    ['variance', bn.variance],
  ] as const) {
    if (v.length !== channels) throw new ReparamError(`${what}: BN ${name} has ${v.length} channels, expected ${channels}`, 'shape');
  }
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}
