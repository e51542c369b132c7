/**
 * Zero-cost proxies against PyTorch: the same spec, weights and minibatch are scored by the
 * engine (src/core/train/proxies) and by test/train/proxies_torch.py, which builds the network
 * with torch.nn (torch_from_spec.py) and computes synflow, NASWOT, grad_norm and snip in
 * float64 as the reference implementations of Abdelfattah et al. (ICLR 2021) and Mellor et al.
 * (ICML 2021) do. The engine runs in float32 (synflow rescaled to stay finite), so the
 * scores must agree to float32's relative precision over the sums involved.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/train/backend';
import { buildModel, describeModel, type ModelSpec } from '../../src/core/train/model-builder';
import { PROXIES, scoreProxy, type ProxyBatch } from '../../src/core/train/proxies';
import { logAbsDet } from '../../src/core/train/proxies/log-det';
import { collectModelTensors, writeSafetensorsFile } from '../../src/core/train/safetensors';
import { elaborate, type Decider } from '../../src/core/semantics/evaluator';
import { kendallTau, spearman } from '../../src/core/util/rank-correlation';
import { build } from '../helpers/nas';
import { makeTempDir } from '../train-data/helpers';

const ROOT = join(__dirname, '..', '..');
const example = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');
const SEED = 3;

function cycling(start = 0): Decider {
  let k = start;
  return { decide: (_key, options) => k++ % options };
}

async function specOf(text: string, name: string, decider?: Decider): Promise<ModelSpec> {
  const b = await build(text);
  expect(b.errors, b.errors.map((e) => e.message).join('\n')).toEqual([]);
  const def = b.def(name);
  return describeModel(elaborate(def, { decider }), def);
}

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('proxies');
});
afterAll(() => tmp.cleanup());

/** Our four scores and PyTorch's, for one spec and a deterministic minibatch. */
async function scoreBoth(spec: ModelSpec, n: number): Promise<{ ours: Record<string, number>; torch: Record<string, number> }> {
  const dir = join(tmp.dir, spec.name + n);
  mkdirSync(dir, { recursive: true });
  const [c, h, w] = spec.input;
  const batch: ProxyBatch = {
    x: Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 0.731 + 1) * 1.3),
    labels: Int32Array.from({ length: n }, (_, i) => (i * 7 + 1) % 10),
    shape: [n, h, w, c],
  };
  // The weights the engine initialises with this seed, as every proxy builds them.
  const model = buildModel(spec, { seed: SEED });
  try {
    writeSafetensorsFile(join(dir, 'weights.safetensors'), collectModelTensors(model));
  } finally {
    model.dispose();
  }
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  writeSafetensorsFile(
    join(dir, 'batch.safetensors'),
    new Map([
      ['x', { dtype: 'F32', shape: [...batch.shape], data: batch.x }],
      ['y', { dtype: 'I32', shape: [n], data: batch.labels }],
    ]),
  );
  // Asynchronous, and a pause between proxies: vitest's worker must answer its runner meanwhile.
  const py = await promisify(execFile)('/usr/bin/python3', [join(__dirname, 'proxies_torch.py'), dir], { encoding: 'utf8' });
  const torch = JSON.parse(py.stdout) as Record<string, number>;
  const ours: Record<string, number> = {};
  for (const p of PROXIES) {
    ours[p] = scoreProxy(p, spec, { seed: SEED, batch });
    await new Promise((r) => setImmediate(r));
  }
  return { ours, torch };
}

function expectClose(ours: Record<string, number>, torch: Record<string, number>, rel: number, relGradients = rel): void {
  const bad: string[] = [];
  for (const p of PROXIES) {
    const e = Math.abs(ours[p]! - torch[p]!) / Math.max(Math.abs(torch[p]!), 1e-12);
    if (!(e <= (p === 'grad_norm' || p === 'snip' ? relGradients : rel)))
      bad.push(`${p}: ours ${ours[p]} torch ${torch[p]} (relative error ${e.toExponential(2)})`);
  }
  expect(bad).toEqual([]);
}

describe('zero-cost proxies agree with a PyTorch float64 reference', () => {
  it('an NB201 cell net (C = 4, N = 1, 16 px) with all five edge ops', async () => {
    const text = example('nb201.nas').replace('C: int = 16, N: int = 5', 'C: int = 4, N: int = 1').replace('input(3, 32, 32)', 'input(3, 16, 16)');
    const spec = await specOf(text, 'NB201', cycling());
    const { ours, torch } = await scoreBoth(spec, 16);
    expectClose(ours, torch, 1e-3);
  });

  it('the full NB201 net (C = 16, N = 5, 32 px) of 3x3 convolutions: synflow beyond float32 range stays exact', async () => {
    const spec = await specOf(example('nb201.nas'), 'NB201', { decide: (_key, options) => (options === 5 ? 3 : 0) });
    const { ours, torch } = await scoreBoth(spec, 8);
    // The sum R(1) is far above float32's 3.4e38; the engine rescales (see synflow's comment).
    expect(torch['synflow']!).toBeGreaterThan(1e40);
    // Fifteen cells of training-mode batch norm at batch 8: float32 against float64 drifts to
    // ~2e-3 in the gradients (model-builder-torch.test.ts explains the ReLU-kink flips).
    expectClose(ours, torch, 1e-3, 5e-3);
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
