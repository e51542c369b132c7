/**
 * Zero-cost proxies against PyTorch: the same spec, weights and minibatch are scored by the
 * engine (src/core/train/proxies) and by test/train/proxies_torch.py, which builds the network
 * with torch.nn (torch_from_spec.py) and computes synflow, NASWOT, grad_norm and snip in
 * float64 as the reference implementations of Abdelfattah et al. (ICLR 2021) and Mellor et al.
 * (ICML 2021) do. The engine runs in float32 (synflow rescaled to stay finite), so the
 * scores must agree to float32's relative precision over the sums involved. The full NB201 net
 * (synflow beyond float32's range) is in proxies.slow.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { logAbsDet } from '../../src/core/train/proxies/log-det';
import { kendallTau, spearman } from '../../src/core/util/rank-correlation';
import { cycling, example, expectClose, proxiesVsTorchHooks, scoreBoth, specOf } from './proxies-vs-torch';

proxiesVsTorchHooks();

describe('zero-cost proxies agree with a PyTorch float64 reference', () => {
  it('an NB201 cell net (C = 4, N = 1, 16 px) with all five edge ops', async () => {
    const text = example('nb201.nas').replace('C: int = 16, N: int = 5', 'C: int = 4, N: int = 1').replace('input(3, 32, 32)', 'input(3, 16, 16)');
    const spec = await specOf(text, 'NB201', cycling());
    const { ours, torch } = await scoreBoth(spec, 16);
    expectClose(ours, torch, 1e-3);
  });

  it('a DARTS cell net (C = 4, N = 1, 16 px): separable and dilated convs, poolings, concat', async () => {
    const text = example('darts_space.nas').replace('C: int = 16, N: int = 2', 'C: int = 4, N: int = 1').replace('input(3, 32, 32)', 'input(3, 16, 16)');
    const spec = await specOf(text, 'DARTS', cycling(2));
    const { ours, torch } = await scoreBoth(spec, 12);
    expectClose(ours, torch, 1e-3);
  });

  it('an MBConv net (MnasNet space, 32 px): depthwise convolutions and squeeze-and-excitation', async () => {
    const text = example('mnasnet_space.nas').replace('input(3, 224, 224)', 'input(3, 32, 32)').replace('classes: int = 1000', 'classes: int = 10');
    const spec = await specOf(text, 'MnasNetSpace', cycling(1));
    const { ours, torch } = await scoreBoth(spec, 8);
    expectClose(ours, torch, 1e-3);
  });
});

describe('the statistics behind nas proxy', () => {
  it('log|det| matches the determinant of a known matrix and sees a singular one', () => {
    // det [[4, 3, 2], [2, 1, 3], [3, 2, 1]] = 4(1-6) - 3(2-9) + 2(4-3) = -20 + 21 + 2 = 3.
    expect(logAbsDet(Float64Array.from([4, 3, 2, 2, 1, 3, 3, 2, 1]), 3)).toBeCloseTo(Math.log(3), 12);
    expect(logAbsDet(Float64Array.from([1, 2, 2, 4]), 2)).toBe(-Infinity);
  });

  it("Spearman's rho and Kendall's tau-b equal SciPy's documented examples (ties included)", () => {
    // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) -> 0.8207826816681233 (SciPy docs).
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) -> -0.47140452079103173 (SciPy docs).
    expect(kendallTau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 12);
  });

  it('a singular NASWOT kernel (score minus infinity) ties with another and ranks below every finite score', () => {
    // Pairs: 5 concordant, 1 tied in x, none discordant: tau-b = 5 / sqrt(5 * 6).
    expect(kendallTau([-Infinity, -Infinity, 1, 2], [1, 2, 3, 4])).toBeCloseTo(5 / Math.sqrt(30), 12);
    // Ranks 1.5, 1.5, 3, 4 against 1, 2, 3, 4: Pearson of the ranks = 4.5 / sqrt(4.5 * 5).
    expect(spearman([-Infinity, -Infinity, 1, 2], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
  });
});
