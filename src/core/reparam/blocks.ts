/**
 * The training-time blocks of std/blocks as one convolution each, from their branches'
 * weights and eval-mode BN statistics. Each follows its paper's transform; all reduce to BN
 * folding (fold-bn.ts), parallel sums (parallel.ts) and DBB's sequential merges
 * (sequential.ts). The result must be the block's deployment convolution (same kernel size,
 * dilation, padding and groups as its main branch): otherwise `deploy-kernel` is thrown.
 */
import { type BatchNorm, type Conv2d, ReparamError } from './conv.js';
import { batchNormAsConv, foldBatchNorm } from './fold-bn.js';
import { sumParallel } from './parallel.js';
import { type AvgPool, avgPoolAsConv, mergeSequential } from './sequential.js';

export interface ConvBN {
  conv: Conv2d;
  bn: BatchNorm;
}

/** Refuses an identity branch where the block's input and output differ in width or size. */
function checkIdentity(main: Conv2d, what: string): void {
  if (main.in !== main.out) {
    throw new ReparamError(`${what}: an identity branch needs as many output channels as input channels (${main.in} -> ${main.out})`, 'identity-channels');
  }
  if (main.stride[0] !== 1 || main.stride[1] !== 1) {
    throw new ReparamError(`${what}: an identity branch needs stride 1, the block has stride ${main.stride.join('x')}`, 'identity-stride');
  }
}

/** The fused conv must be the deployment form's: the main branch's geometry, with bias. */
function asDeploy(fused: Conv2d, main: Conv2d, what: string): Conv2d {
  const same =
    fused.kh === main.kh &&
    fused.kw === main.kw &&
    fused.groups === main.groups &&
    fused.pad[0] === main.pad[0] &&
    fused.pad[1] === main.pad[1] &&
    (main.kh === 1 || fused.dilation[0] === main.dilation[0]) &&
    (main.kw === 1 || fused.dilation[1] === main.dilation[1]);
  if (!same) {
    throw new ReparamError(
      `${what}: the branches fuse into a ${fused.kh}x${fused.kw} conv (dilation ${fused.dilation.join('x')}, padding ${fused.pad.join('x')}, groups ${fused.groups}), ` +
        `not the block's ${main.kh}x${main.kw} (dilation ${main.dilation.join('x')}, padding ${main.pad.join('x')}, groups ${main.groups})`,
      'deploy-kernel',
    );
  }
  return { ...fused, dilation: main.dilation };
}

export interface RepVGGBranches {
  /** The kxk conv-BN (3x3 in the paper). */
  dense: ConvBN;
  /** The 1x1 conv-BN. */
  pointwise?: ConvBN;
  /** The identity BN, only where input and output shapes agree. */
  identity?: BatchNorm;
}

/**
 * RepVGG (Ding, Zhang, Ma, Han, Ding & Sun 2021, "RepVGG: Making VGG-style ConvNets Great
 * Again", Sec. 3.3): kxk-BN + 1x1-BN (at the centre of the kxk) + identity-BN (a kernel with
 * one at the centre of each channel's own input channel, groups respected) → one kxk conv.
 */
export function fuseRepVGG(b: RepVGGBranches): Conv2d {
  const parts = [foldBatchNorm(b.dense.conv, b.dense.bn)];
  if (b.pointwise) parts.push(foldBatchNorm(b.pointwise.conv, b.pointwise.bn));
  if (b.identity) {
    checkIdentity(b.dense.conv, 'RepVGG');
    parts.push(batchNormAsConv(b.identity, b.dense.conv.in));
  }
  return asDeploy(sumParallel(parts), b.dense.conv, 'RepVGG');
}

export interface ACBranches {
  square: ConvBN;
  /** 1xk. */
  horizontal: ConvBN;
  /** kx1. */
  vertical: ConvBN;
}

/**
 * ACNet (Ding, Guo, Ding & Han 2019, "ACNet: Strengthening the Kernel Skeletons for Powerful
 * CNN via Asymmetric Convolution Blocks", Sec. 3.3, "BN fusion and branch fusion"): kxk-BN +
 * 1xk-BN + kx1-BN → one kxk conv, the asymmetric kernels added to its centre row and column.
 */
export function fuseACB(b: ACBranches): Conv2d {
  const parts = [b.square, b.horizontal, b.vertical].map((p) => foldBatchNorm(p.conv, p.bn));
  return asDeploy(sumParallel(parts), b.square.conv, 'ACNet');
}

export interface DBBBranches {
  /** kxk conv-BN. */
  origin: ConvBN;
  /** 1x1 conv-BN (absent in the depthwise form). */
  pointwise?: ConvBN;
  /** 1x1 conv and BN-and-pad by `bnPad` (absent in the depthwise form), kxk average pooling
   * (unpadded after a BN-and-pad), BN. */
  avg: { first?: ConvBN; bnPad?: number; pool: AvgPool; bn: BatchNorm };
  /** 1x1 conv, BN-and-pad by `bnPad`, unpadded kxk conv, BN. */
  kxk: { first: ConvBN; bnPad: number; second: ConvBN };
}

/**
 * Diverse Branch Block (Ding, Zhang, Han & Ding 2021, "Diverse Branch Block: Building a
 * Convolution as an Inception-like Unit", Sec. 3, transforms I-VI): every branch folded to a
 * conv, the 1x1-then-kxk branches merged through their BN-value padding, average pooling as a
 * conv, all summed into one kxk conv.
 */
export function fuseDBB(b: DBBBranches): Conv2d {
  const main = b.origin.conv;
  const parts = [foldBatchNorm(main, b.origin.bn)];
  if (b.pointwise) parts.push(foldBatchNorm(b.pointwise.conv, b.pointwise.bn));
  const channels = b.avg.first ? b.avg.first.conv.out : main.in;
  const pool = foldBatchNorm(avgPoolAsConv(channels, b.avg.pool), b.avg.bn);
  parts.push(b.avg.first ? mergeSequential(foldBatchNorm(b.avg.first.conv, b.avg.first.bn), pool, b.avg.bnPad ?? 0) : pool);
  parts.push(mergeSequential(foldBatchNorm(b.kxk.first.conv, b.kxk.first.bn), foldBatchNorm(b.kxk.second.conv, b.kxk.second.bn), b.kxk.bnPad));
  return asDeploy(sumParallel(parts), main, 'DBB');
}

export interface MobileOneBranches {
  /** The k parallel kxk conv-BN branches (at least one). */
  convs: readonly ConvBN[];
  /** The 1x1 conv-BN "scale" branch (when k > 1). */
  scale?: ConvBN;
  /** The identity BN, only where input and output shapes agree. */
  identity?: BatchNorm;
}

/**
 * MobileOne (Vasu, Gabriel, Zhu, Tuzel & Ranjan 2023, "MobileOne: An Improved One
 * millisecond Mobile Backbone", Sec. 3.1): the over-parameterized kxk conv-BN branches, the
 * 1x1 scale branch and the identity BN → one kxk conv; the same transform serves the
 * depthwise (groups = channels) and pointwise (k = 1) blocks.
 */
export function fuseMobileOne(b: MobileOneBranches): Conv2d {
  const main = b.convs[0]?.conv;
  if (!main) throw new ReparamError('MobileOne: at least one kxk conv branch', 'shape');
  const parts = b.convs.map((p) => foldBatchNorm(p.conv, p.bn));
  if (b.scale) parts.push(foldBatchNorm(b.scale.conv, b.scale.bn));
  if (b.identity) {
    checkIdentity(main, 'MobileOne');
    parts.push(batchNormAsConv(b.identity, main.in));
  }
  return asDeploy(sumParallel(parts), main, 'MobileOne');
}
