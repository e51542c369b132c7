/**
 * Trained weights of a training-time network as the weights of its deployment network
 * (deploy-match.ts pairs the nodes): nodes that stay copy their tensors; each fused block's
 * branches become one convolution with the transforms of this folder: BN folding, identity
 * and average pooling as convolutions, DBB's sequential merges through BN-and-pad, parallel
 * sums (the papers are cited there). Batch norms always contribute their running estimates.
 *
 * Tensors are in the engine's layouts (model-builder/spec.ts): convolution weights
 * [kh, kw, in/groups, out], converted here to and from the transforms' OIHW.
 */
import type { ModelSpec, SpecNode } from '../train/model-builder/spec.js';
import { type BatchNorm, type Conv2d, ReparamError, makeConv } from './conv.js';
import { batchNormAsConv, foldBatchNorm, identityConv } from './fold-bn.js';
import { expandGroups, sumParallel } from './parallel.js';
import { avgPoolAsConv, mergeSequential } from './sequential.js';
import type { DeployMatch, FusedBlockMatch } from './deploy-match.js';

/** A tensor by name, in the engine's layout. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}
export type TensorMap = ReadonlyMap<string, NamedTensor>;

/** A fused block's convolution, OIHW, for verification and reports. */
export interface FusedConv {
  readonly block: FusedBlockMatch;
  readonly conv: Conv2d;
}

export interface FusedWeights {
  /** Every parameter and buffer of the deployment network, by its name there. */
  readonly tensors: Map<string, NamedTensor>;
  readonly blocks: readonly FusedConv[];
}

/** [kh, kw, in/g, out] → [out, in/g, kh, kw]. */
export function hwioToOihw(w: Float32Array, kh: number, kw: number, inPer: number, out: number): Float32Array {
  const r = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < inPer; i++) for (let o = 0; o < out; o++) r[((o * inPer + i) * kh + y) * kw + x] = w[((y * kw + x) * inPer + i) * out + o]!;
  return r;
}

/** [out, in/g, kh, kw] → [kh, kw, in/g, out]. */
export function oihwToHwio(c: Conv2d): Float32Array {
  const inPer = c.in / c.groups;
  const r = new Float32Array(c.weight.length);
  for (let o = 0; o < c.out; o++)
    for (let i = 0; i < inPer; i++)
      for (let y = 0; y < c.kh; y++)
        for (let x = 0; x < c.kw; x++) r[((y * c.kw + x) * inPer + i) * c.out + o] = c.weight[((o * inPer + i) * c.kh + y) * c.kw + x]!;
  return r;
}

function tensor(weights: TensorMap, name: string): NamedTensor {
  const t = weights.get(name);
  if (!t) throw new ReparamError(`the weights have no tensor ${name}`, 'shape');
  return t;
}

function floats(weights: TensorMap, name: string): Float32Array {
  const t = tensor(weights, name);
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

const num = (n: SpecNode, k: string): number => n.attrs[k] as number;

/** A spec conv node with its weights, OIHW. */
function convOf(n: SpecNode, weights: TensorMap): Conv2d {
  const [kh, kw, inPer, out] = [num(n, 'kh'), num(n, 'kw'), num(n, 'in') / num(n, 'groups'), num(n, 'out')];
  return makeConv(
    {
      out,
      in: num(n, 'in'),
      groups: num(n, 'groups'),
      kh,
      kw,
      stride: num(n, 'stride'),
      pad: [num(n, 'pad_h'), num(n, 'pad_w')],
      dilation: num(n, 'dilation'),
    },
    hwioToOihw(floats(weights, `${n.name}.weight`), kh, kw, inPer, out),
    n.attrs['bias'] ? floats(weights, `${n.name}.bias`) : undefined,
  );
}

/** A spec bn node's eval-mode statistics (γ = 1, β = 0 without affine). */
function bnOf(n: SpecNode, weights: TensorMap): BatchNorm {
  const c = num(n, 'c');
  const affine = n.attrs['affine'] !== false;
  return {
    gamma: affine ? floats(weights, `${n.name}.weight`) : new Float32Array(c).fill(1),
    beta: affine ? floats(weights, `${n.name}.bias`) : new Float32Array(c),
    mean: floats(weights, `${n.name}.running_mean`),
    variance: floats(weights, `${n.name}.running_var`),
    eps: num(n, 'eps'),
  };
}

/**
 * One branch (the ops from the sum's source on) as a convolution: the same walk as the static
 * check's branchShape (check-graph.ts), with weights. A BN folds into what precedes it (or
 * into the identity); a BN-and-pad's border is taken by the next conv's merge (DBB transform
 * III); an empty branch is the identity.
 */
function branchConv(spec: ModelSpec, chain: readonly number[], channels: number, weights: TensorMap): Conv2d {
  let cur: Conv2d | undefined;
  let bnPad = 0;
  const apply = (next: Conv2d): void => {
    cur = cur === undefined ? next : mergeSequential(cur, next, bnPad);
    bnPad = 0;
  };
  for (const id of chain) {
    const n = spec.nodes[id]!;
    const inC = spec.nodes[n.inputs[0]!]!.shape[0];
    switch (n.op) {
      case 'conv':
      case 'dwconv':
        apply(convOf(n, weights));
        break;
      case 'avgpool':
        apply(avgPoolAsConv(inC, { k: num(n, 'k'), stride: num(n, 'stride'), pad: num(n, 'pad'), countIncludePad: n.attrs['count_include_pad'] !== false }));
        break;
      case 'bn':
        if (bnPad > 0) apply(identityConv(inC));
        cur = cur === undefined ? batchNormAsConv(bnOf(n, weights), inC) : foldBatchNorm(cur, bnOf(n, weights));
        bnPad = num(n, 'pad');
        break;
      case 'identity':
      case 'dropout':
        break;
      default:
        throw new ReparamError(`${n.name}: a ${n.op} in a branch does not fuse`, 'shape');
    }
  }
  if (bnPad > 0) apply(identityConv(cur!.out));
  return cur ?? identityConv(channels);
}

/** The fused conv in the deployment conv's geometry (its groups may be coarser), or why not. */
function asDeployConv(fused: Conv2d, d: SpecNode, block: string): Conv2d {
  const want = {
    kh: num(d, 'kh'),
    kw: num(d, 'kw'),
    pad: [num(d, 'pad_h'), num(d, 'pad_w')],
    stride: num(d, 'stride'),
    groups: num(d, 'groups'),
    dilation: num(d, 'dilation'),
  };
  const sameDilation = (want.kh === 1 || fused.dilation[0] === want.dilation) && (want.kw === 1 || fused.dilation[1] === want.dilation);
  if (
    fused.kh !== want.kh ||
    fused.kw !== want.kw ||
    fused.pad[0] !== want.pad[0] ||
    fused.pad[1] !== want.pad[1] ||
    fused.stride[0] !== want.stride ||
    !sameDilation ||
    fused.groups % want.groups !== 0 ||
    !d.attrs['bias']
  ) {
    throw new ReparamError(
      `${block}: the branches fuse into a ${fused.kh}x${fused.kw} conv (stride ${fused.stride[0]}, padding ${fused.pad.join('x')}, dilation ${fused.dilation.join('x')}, groups ${fused.groups}), ` +
        `the deployment network has ${d.name}: ${want.kh}x${want.kw} (stride ${want.stride}, padding ${want.pad.join('x')}, dilation ${want.dilation}, groups ${want.groups}${d.attrs['bias'] ? '' : ', no bias'})`,
      'deploy-kernel',
    );
  }
  return { ...expandGroups(fused, want.groups), dilation: [want.dilation, want.dilation] };
}

/** The fused conv of one block (OIHW). */
export function fuseBlock(train: ModelSpec, deploy: ModelSpec, block: FusedBlockMatch, weights: TensorMap): Conv2d {
  const channels = train.nodes[block.sum.source]!.shape[0];
  const parts = block.sum.branches.map((chain) => branchConv(train, chain, channels, weights));
  return asDeployConv(sumParallel(parts), deploy.nodes[block.conv]!, block.name);
}

/** The deployment network's tensors from the training network's (see the module comment). */
export function fuseWeights(train: ModelSpec, deploy: ModelSpec, match: DeployMatch, weights: TensorMap): FusedWeights {
  const tensors = new Map<string, NamedTensor>();
  for (const [t, d] of match.same) {
    const tn = train.nodes[t]!;
    const dn = deploy.nodes[d]!;
    for (const p of dn.params) {
      const src = tensor(weights, `${tn.name}.${p.role}`);
      if (src.shape.join() !== p.shape.join()) throw new ReparamError(`${tn.name}.${p.role} has shape [${src.shape}], ${p.name} needs [${p.shape}]`, 'shape');
      tensors.set(p.name, src);
    }
  }
  const blocks: FusedConv[] = [];
  for (const block of match.fused) {
    const conv = fuseBlock(train, deploy, block, weights);
    const dn = deploy.nodes[block.conv]!;
    tensors.set(`${dn.name}.weight`, { shape: [conv.kh, conv.kw, conv.in / conv.groups, conv.out], data: oihwToHwio(conv) });
    tensors.set(`${dn.name}.bias`, { shape: [conv.out], data: conv.bias! });
    blocks.push({ block, conv });
  }
  for (const n of deploy.nodes)
    for (const p of n.params) if (!tensors.has(p.name)) throw new ReparamError(`no weights for ${p.name} of the deployment network`, 'shape');
  return { tensors, blocks };
}
