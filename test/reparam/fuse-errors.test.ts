/**
 * The cases where branches do not fuse, each checked two ways: the transform refuses with its
 * code, and PyTorch shows why. "Impossible" cases cannot even be built: PyTorch cannot sum the
 * branches (their shapes differ), and neither can the DSL (an `add` shape error). "Handled"
 * cases build and run, but no single conv of the deployment form equals them: PyTorch computes
 * the block, and the naive fusion differs from it (or fuses only at one input size).
 */
import { describe, expect, it } from 'vitest';
import { type Conv2d, ReparamError, makeConv } from '../../src/core/reparam/conv.js';
import { fuseACB, fuseRepVGG } from '../../src/core/reparam/blocks.js';
import { foldBatchNorm } from '../../src/core/reparam/fold-bn.js';
import { sumParallel } from '../../src/core/reparam/parallel.js';
import { avgPoolAsConv, mergeSequential } from '../../src/core/reparam/sequential.js';
import { Rng } from '../../src/core/util/random.js';
import { type Layer, type TorchCase, bnLayer, convLayer, randomBN, randomConv, randomInput, runTorch } from './torch-harness.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ReparamError) return e.code;
    throw e;
  }
  return undefined;
}

const rng = new Rng(7);
const C = 4;
const bn = () => randomBN(rng, C);

function tcase(id: string, h: number, branches: Layer[][], fused?: Conv2d, c = C): TorchCase {
  return { id, n: 1, c, h, w: h, x: randomInput(rng, 1, c, h, h), branches, ...(fused ? { fused: convLayer(fused) } : {}) };
}

describe('impossible: the multi-branch block itself does not exist (PyTorch cannot sum it)', () => {
  const dense = { conv: randomConv(rng, { out: C, in: C, kh: 3, pad: 1 }), bn: bn() };
  const cases: Array<{ name: string; code: string; fuse: () => unknown; torch: TorchCase }> = [];
  {
    const wide = { conv: randomConv(rng, { out: 2 * C, in: C, kh: 3, pad: 1 }), bn: randomBN(rng, 2 * C) };
    const id = randomBN(rng, C);
    cases.push({
      name: 'identity where the block widens the channels',
      code: 'identity-channels',
      fuse: () => fuseRepVGG({ dense: wide, identity: id }),
      torch: tcase('identity-channels', 6, [[convLayer(wide.conv), bnLayer(wide.bn)], [bnLayer(id)]]),
    });
  }
  {
    const strided = { conv: randomConv(rng, { out: C, in: C, kh: 3, pad: 1, stride: 2 }), bn: bn() };
    const id = bn();
    cases.push({
      name: 'identity on a stride-2 block',
      code: 'identity-stride',
      fuse: () => fuseRepVGG({ dense: strided, identity: id }),
      torch: tcase('identity-stride', 6, [[convLayer(strided.conv), bnLayer(strided.bn)], [bnLayer(id)]]),
    });
  }
  {
    const valid = { conv: randomConv(rng, { out: C, in: C, kh: 3, pad: 0 }), bn: bn() };
    const id = bn();
    cases.push({
      name: 'identity beside an unpadded 3x3 (the identity is off its centre)',
      code: 'padding-mismatch',
      fuse: () => fuseRepVGG({ dense: valid, identity: id }),
      torch: tcase('identity-unpadded', 6, [[convLayer(valid.conv), bnLayer(valid.bn)], [bnLayer(id)]]),
    });
  }
  {
    const one = { conv: randomConv(rng, { out: C, in: C, kh: 1, pad: 1 }), bn: bn() };
    cases.push({
      name: "a 1x1 branch padded like the 3x3 (the reference's padding - k//2 forgotten)",
      code: 'padding-mismatch',
      fuse: () => fuseRepVGG({ dense, pointwise: one }),
      torch: tcase('1x1-padded', 6, [
        [convLayer(dense.conv), bnLayer(dense.bn)],
        [convLayer(one.conv), bnLayer(one.bn)],
      ]),
    });
  }
  {
    const one = { conv: randomConv(rng, { out: C, in: C, kh: 1, stride: 2 }), bn: bn() };
    cases.push({
      name: 'branches with different strides',
      code: 'stride-mismatch',
      fuse: () => fuseRepVGG({ dense, pointwise: one }),
      torch: tcase('stride', 6, [
        [convLayer(dense.conv), bnLayer(dense.bn)],
        [convLayer(one.conv), bnLayer(one.bn)],
      ]),
    });
  }
  {
    const even = { conv: randomConv(rng, { out: C, in: C, kh: 2 }), bn: bn() };
    const one = { conv: randomConv(rng, { out: C, in: C, kh: 1 }), bn: bn() };
    cases.push({
      name: 'an even kernel beside a 1x1 (their centres cannot coincide)',
      code: 'padding-mismatch',
      fuse: () => fuseRepVGG({ dense: even, pointwise: one }),
      torch: tcase('even', 6, [
        [convLayer(even.conv), bnLayer(even.bn)],
        [convLayer(one.conv), bnLayer(one.bn)],
      ]),
    });
  }

  it('each is refused with its code, and PyTorch cannot add the branches', () => {
    const results = runTorch(
      'fuse',
      cases.map((c) => c.torch),
    );
    cases.forEach((c, i) => {
      expect(codeOf(c.fuse), c.name).toBe(c.code);
      expect(results[i]!.ok, `${c.name}: torch ${JSON.stringify(results[i])}`).toBe(false);
      expect(results[i]!.error, c.name).toMatch(/size of tensor|must match/);
    });
  });
});

describe('handled: the block exists but is not one conv of its deployment form', () => {
  it('a BN followed by a zero-padded conv: refused, and the naive fusion differs at the border', () => {
    const first = { conv: randomConv(rng, { out: C, in: C, kh: 1 }), bn: bn() };
    const padded = randomConv(rng, { out: C, in: C, kh: 3, pad: 1 });
    const folded = foldBatchNorm(first.conv, first.bn);
    expect(codeOf(() => mergeSequential(folded, padded))).toBe('zero-pad-after-bn');
    // What a converter that ignores the padding's value would produce: the BN-and-pad merge.
    const naive = mergeSequential(folded, makeConv({ out: C, in: C, kh: 3 }, padded.weight), 1);
    const zeroPadded = tcase('zero-pad-after-bn', 7, [[convLayer(first.conv), bnLayer(first.bn), convLayer(padded)]], naive);
    const bnPadded = tcase(
      'bn-and-pad',
      7,
      [[convLayer(first.conv), bnLayer(first.bn, 1), convLayer(makeConv({ out: C, in: C, kh: 3 }, padded.weight))]],
      naive,
    );
    const [z, b] = runTorch('fuse', [zeroPadded, bnPadded]);
    expect(z!.maxAbsDiff! / z!.maxAbs!).toBeGreaterThan(1e-2);
    // The same kernel with the padding in the BN is exact.
    expect(b!.maxAbsDiff! / b!.maxAbs!).toBeLessThan(1e-5);
  });

  it('average pooling that excludes the padding: refused, and no fixed kernel matches it', () => {
    expect(codeOf(() => avgPoolAsConv(C, { k: 3, stride: 1, pad: 1, countIncludePad: false }))).toBe('avgpool-exclude-pad');
    const asConv = avgPoolAsConv(C, { k: 3, stride: 1, pad: 1 });
    const [r] = runTorch('fuse', [tcase('avg-exclude', 6, [[{ op: 'avgpool', k: 3, stride: 1, pad: 1, count_include_pad: false }]], asConv)]);
    expect(r!.maxAbsDiff! / r!.maxAbs!).toBeGreaterThan(1e-2);
  });

  it('kernel centres that differ but give equal shapes at one input size: refused (the sum is size-dependent)', () => {
    // 5x5 padding 1 and 3x3 padding 1 at stride 3: both give 2x2 from 6x6, but 2x2 and 3x3 from 7x7.
    const big = randomConv(rng, { out: C, in: C, kh: 5, pad: 1, stride: 3 });
    const small = randomConv(rng, { out: C, in: C, kh: 3, pad: 1, stride: 3 });
    expect(codeOf(() => sumParallel([big, small]))).toBe('padding-mismatch');
    const [at6, at7] = runTorch('fuse', [
      tcase('centre-6', 6, [[convLayer(big)], [convLayer(small)]]),
      tcase('centre-7', 7, [[convLayer(big)], [convLayer(small)]]),
    ]);
    expect(at6!.ok).toBe(true);
    expect(at7!.ok).toBe(false);
  });

  it('ACNet branches with different dilations: they fuse exactly, but into a larger kernel than the deployment conv', () => {
    const sq = { conv: randomConv(rng, { out: C, in: C, kh: 3, pad: 2, dilation: 2 }), bn: bn() };
    const hor = { conv: randomConv(rng, { out: C, in: C, kh: 1, kw: 3, pad: [0, 1] }), bn: bn() };
    const ver = { conv: randomConv(rng, { out: C, in: C, kh: 3, kw: 1, pad: [1, 0] }), bn: bn() };
    expect(codeOf(() => fuseACB({ square: sq, horizontal: hor, vertical: ver }))).toBe('deploy-kernel');
    const general = sumParallel([sq, hor, ver].map((b) => foldBatchNorm(b.conv, b.bn)));
    expect([general.kh, general.kw, general.dilation[0], general.pad[0]]).toEqual([5, 5, 1, 2]);
    const branches = [sq, hor, ver].map((b) => [convLayer(b.conv), bnLayer(b.bn)]);
    const [r] = runTorch('fuse', [tcase('dilations', 9, branches, general)]);
    expect(r!.maxAbsDiff! / r!.maxAbs!).toBeLessThan(1e-5);
  });
});
