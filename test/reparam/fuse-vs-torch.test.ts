/**
 * Property tests of the reparameterization transforms against PyTorch: random geometries
 * (kernel 1, 3, 5; stride 1, 2; groups 1, 2, depthwise; dilation; extra padding; with and
 * without identity) drawn by fast-check with a fixed seed, random weights and random BN
 * running statistics. PyTorch computes the multi-branch block (torch.nn.functional, BN in eval
 * mode) and the fused conv NAS Studio computed, both in float32; they must agree within 1e-5
 * relative to the block output's largest magnitude.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conv2d } from '../../src/core/reparam/conv.js';
import { fuseACB, fuseDBB, fuseMobileOne, fuseRepVGG, type ConvBN } from '../../src/core/reparam/blocks.js';
import { Rng } from '../../src/core/util/random.js';
import { type Layer, type TorchCase, bnLayer, convLayer, randomBN, randomConv, randomInput, runTorch } from './torch-harness.js';

const TOLERANCE = 1e-5;
const N = 2;

const groupsOf = (kind: 'one' | 'two' | 'dw', cin: number): number => (kind === 'one' ? 1 : kind === 'two' ? 2 : cin);

const convBnLayers = (p: ConvBN): Layer[] => [convLayer(p.conv), bnLayer(p.bn)];

interface Built {
  tcase: TorchCase;
  fused: Conv2d;
}

function caseOf(id: string, rng: Rng, cin: number, h: number, w: number, branches: Layer[][], fused: Conv2d): Built {
  return { tcase: { id, n: N, c: cin, h, w, x: randomInput(rng, N, cin, h, w), branches, fused: convLayer(fused) }, fused };
}

const geometry = fc.record({
  k: fc.constantFrom(1, 3, 5),
  stride: fc.constantFrom(1, 2),
  groups: fc.constantFrom('one' as const, 'two' as const, 'dw' as const),
  dilation: fc.constantFrom(1, 2),
  /** Padding beyond "same", on every branch alike (the centres stay aligned). */
  extraPad: fc.constantFrom(0, 0, 1),
  identity: fc.boolean(),
  widen: fc.boolean(),
  cin: fc.constantFrom(4, 6, 8),
  h: fc.integer({ min: 5, max: 11 }),
  w: fc.integer({ min: 5, max: 11 }),
  seed: fc.integer(),
});
type Geometry = typeof geometry extends fc.Arbitrary<infer T> ? T : never;

function repvggCase(g: Geometry, i: number): Built {
  const rng = new Rng(g.seed);
  const groups = groupsOf(g.groups, g.cin);
  const out = g.widen ? 2 * g.cin : g.cin;
  const same = (g.dilation * (g.k - 1)) / 2;
  const dense = {
    conv: randomConv(rng, { out, in: g.cin, groups, kh: g.k, stride: g.stride, pad: same + g.extraPad, dilation: g.dilation }),
    bn: randomBN(rng, out),
  };
  const pointwise = { conv: randomConv(rng, { out, in: g.cin, groups, kh: 1, stride: g.stride, pad: g.extraPad }), bn: randomBN(rng, out) };
  const withIdentity = g.identity && out === g.cin && g.stride === 1 && g.extraPad === 0;
  const identity = withIdentity ? randomBN(rng, out) : undefined;
  const fused = fuseRepVGG({ dense, pointwise, ...(identity ? { identity } : {}) });
  const branches = [convBnLayers(dense), convBnLayers(pointwise), ...(identity ? [[bnLayer(identity)]] : [])];
  return caseOf(`repvgg#${i} ${JSON.stringify({ ...g, identity: withIdentity })}`, rng, g.cin, g.h, g.w, branches, fused);
}

function acbCase(g: Geometry, i: number): Built {
  const rng = new Rng(g.seed);
  const groups = groupsOf(g.groups, g.cin);
  const out = g.widen ? 2 * g.cin : g.cin;
  const same = (g.dilation * (g.k - 1)) / 2;
  const e = g.extraPad;
  const geo = { out, in: g.cin, groups, stride: g.stride, dilation: g.dilation };
  const square = { conv: randomConv(rng, { ...geo, kh: g.k, pad: same + e }), bn: randomBN(rng, out) };
  const horizontal = { conv: randomConv(rng, { ...geo, kh: 1, kw: g.k, pad: [e, same + e] }), bn: randomBN(rng, out) };
  const vertical = { conv: randomConv(rng, { ...geo, kh: g.k, kw: 1, pad: [same + e, e] }), bn: randomBN(rng, out) };
  const fused = fuseACB({ square, horizontal, vertical });
  return caseOf(`acb#${i} ${JSON.stringify(g)}`, rng, g.cin, g.h, g.w, [square, horizontal, vertical].map(convBnLayers), fused);
}

function dbbCase(g: Geometry, i: number): Built {
  const rng = new Rng(g.seed);
  const groups = groupsOf(g.groups, g.cin);
  // The reference's depthwise form keeps the width; `widen` picks non-default internal channels.
  const out = groups === g.cin ? g.cin : g.widen ? 2 * g.cin : g.cin;
  const p = Math.floor(g.k / 2);
  const dw = groups >= out;
  const mid = g.widen && dw ? 3 * g.cin : dw ? 2 * g.cin : g.cin;
  const origin = { conv: randomConv(rng, { out, in: g.cin, groups, kh: g.k, stride: g.stride, pad: p }), bn: randomBN(rng, out) };
  const pointwise = dw ? undefined : { conv: randomConv(rng, { out, in: g.cin, groups, kh: 1, stride: g.stride }), bn: randomBN(rng, out) };
  const avgFirst = dw ? undefined : { conv: randomConv(rng, { out, in: g.cin, groups, kh: 1 }), bn: randomBN(rng, out) };
  const avg = { ...(avgFirst ? { first: avgFirst, bnPad: p } : {}), pool: { k: g.k, stride: g.stride, pad: dw ? p : 0 }, bn: randomBN(rng, out) };
  const kxk = {
    first: { conv: randomConv(rng, { out: mid, in: g.cin, groups, kh: 1 }), bn: randomBN(rng, mid) },
    bnPad: p,
    second: { conv: randomConv(rng, { out, in: mid, groups, kh: g.k, stride: g.stride }), bn: randomBN(rng, out) },
  };
  const fused = fuseDBB({ origin, ...(pointwise ? { pointwise } : {}), avg, kxk });
  const pool: Layer = { op: 'avgpool', k: g.k, stride: g.stride, pad: avg.pool.pad };
  const branches: Layer[][] = [
    convBnLayers(origin),
    ...(pointwise ? [convBnLayers(pointwise)] : []),
    avgFirst ? [convLayer(avgFirst.conv), bnLayer(avgFirst.bn, p), pool, bnLayer(avg.bn)] : [pool, bnLayer(avg.bn)],
    [convLayer(kxk.first.conv), bnLayer(kxk.first.bn, p), ...convBnLayers(kxk.second)],
  ];
  return caseOf(`dbb#${i} ${JSON.stringify({ ...g, out, mid })}`, rng, g.cin, g.h, g.w, branches, fused);
}

function mobileOneCase(g: Geometry, i: number): Built {
  const rng = new Rng(g.seed);
  const groups = groupsOf(g.groups, g.cin);
  const out = g.widen ? 2 * g.cin : g.cin;
  const p = Math.floor(g.k / 2);
  const count = 1 + (Math.abs(g.seed) % 3);
  const convs = Array.from({ length: count }, () => ({
    conv: randomConv(rng, { out, in: g.cin, groups, kh: g.k, stride: g.stride, pad: p }),
    bn: randomBN(rng, out),
  }));
  const scale = g.k > 1 ? { conv: randomConv(rng, { out, in: g.cin, groups, kh: 1, stride: g.stride }), bn: randomBN(rng, out) } : undefined;
  const identity = g.identity && out === g.cin && g.stride === 1 ? randomBN(rng, out) : undefined;
  const fused = fuseMobileOne({ convs, ...(scale ? { scale } : {}), ...(identity ? { identity } : {}) });
  const branches = [...convs.map(convBnLayers), ...(scale ? [convBnLayers(scale)] : []), ...(identity ? [[bnLayer(identity)]] : [])];
  return caseOf(`mobileone#${i} ${JSON.stringify({ ...g, count, identity: !!identity })}`, rng, g.cin, g.h, g.w, branches, fused);
}

function expectAgreement(built: Built[]): void {
  const results = runTorch(
    'fuse',
    built.map((b) => b.tcase),
  );
  expect(results).toHaveLength(built.length);
  results.forEach((r, i) => {
    const label = built[i]!.tcase.id;
    expect(r.ok, `${label}: ${r.error}`).toBe(true);
    expect(r.fusedShape, label).toEqual(r.shape);
    expect(r.maxAbs!, label).toBeGreaterThan(0);
    expect(r.maxAbsDiff! / r.maxAbs!, label).toBeLessThanOrEqual(TOLERANCE);
  });
}

const draw = (seed: number, runs: number) => fc.sample(geometry, { seed, numRuns: runs });

describe('fused conv equals the multi-branch block in PyTorch (eval-mode BN, float32, 1e-5 relative)', () => {
  it('RepVGG: kxk-BN + 1x1-BN + identity-BN', () => {
    const cases = draw(17, 64).map(repvggCase);
    // The draw must cover what the property is about.
    expect(cases.filter((c) => c.tcase.branches.length === 3).length).toBeGreaterThan(1);
    expect(new Set(cases.map((c) => c.fused.groups)).size).toBeGreaterThan(2);
    expectAgreement(cases);
  });

  it('ACNet: kxk-BN + 1xk-BN + kx1-BN', () => {
    expectAgreement(draw(19, 40).map(acbCase));
  });

  it('Diverse Branch Block: origin, 1x1, 1x1-avgpool, 1x1-kxk with BN-and-pad', () => {
    const cases = draw(23, 40).map(dbbCase);
    expect(cases.some((c) => c.tcase.branches.length === 3)).toBe(true); // depthwise form
    expect(cases.some((c) => c.tcase.branches.length === 4)).toBe(true);
    expectAgreement(cases);
  });

  it('MobileOne: k kxk-BN branches + 1x1-BN + identity-BN, depthwise and pointwise', () => {
    const cases = draw(29, 40).map(mobileOneCase);
    expect(cases.some((c) => c.fused.groups === c.fused.in && c.tcase.branches.length > 2)).toBe(true);
    expectAgreement(cases);
  });
});
