/**
 * How well the supernet ranks architectures (issue 15): Kendall's tau (tau-b) and Spearman's
 * rho between the accuracy 20 architectures of FashionLayers (examples/fashion_search.nas)
 * get with weights inherited from the supernet of the `FashionSPOS` search block, and the
 * accuracy each gets trained stand-alone under the `FashionSearch` recipe's final rung
 * (9,000 images, 2 epochs), both on the same Fashion-MNIST validation split.
 *
 *   [SUPERNET_RANK_JSON=rank.json] nice -n 5 node --import tsx bench/supernet-rank.ts
 *       [--archs 20] [--seed 0] [--share shapes|slices] [--standalone rank.json] [--engine torch]
 *
 * `--share` overrides the block's sharing rule; `--standalone` reads the stand-alone
 * accuracies of an earlier run's JSON instead of training them again. Without `--share` the
 * supernet is the example's (same settings, same cache), so a later
 * `nas search examples/fashion_search.nas --search FashionSPOS` loads it instead of
 * training. `--engine torch` trains and scores the supernet on the PyTorch engine (NAS_PYTHON,
 * else /usr/bin/python3; the CPU), in a fresh cache folder so that a tfjs supernet of the same
 * recipe is not loaded instead. Prints a table and the two coefficients; asserts nothing. About 10 minutes on 2
 * busy cores with the stand-alone trainings, 5 to 7 without (docs/benchmarks.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NasWorkspace } from '../src/core/workspace.js';
import type { Document, Search } from '../src/core/language/syntax/generated/ast.js';
import { readSearchSpec } from '../src/core/search/spec.js';
import { prepareSearch } from '../src/core/search/prepare.js';
import { LazyCandidate } from '../src/core/search/runner.js';
import { FeasibleSampler } from '../src/core/search/feasible.js';
import { createEvaluator } from '../src/core/search/evaluators/registry.js';
import { registerTrainingEvaluators } from '../src/core/search/evaluators/training.js';
import { describeArchitecture } from '../src/core/search/describe.js';
import type { Arch, Evaluator } from '../src/core/search/types.js';
import { Rng } from '../src/core/util/random.js';
import { torchSlots } from '../src/core/torch/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Kendall's tau-b (ties in either list counted as in scipy.stats.kendalltau). */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const x = Math.sign(a[i]! - a[j]!);
      const y = Math.sign(b[i]! - b[j]!);
      if (x === 0 && y === 0) continue;
      if (x === 0) tiesA++;
      else if (y === 0) tiesB++;
      else if (x === y) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
}

/** Average ranks (ties share the mean rank). */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rho: Pearson's correlation of the ranks. */
export function spearmanRho(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - ma) * (rb[i]! - mb);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

async function main(): Promise<void> {
  const count = arg('archs', 20);
  const seed = arg('seed', 0);
  // `--share slices|shapes`: another weight-sharing rule than the example's.
  const share = textArg('share');
  // `--standalone FILE`: the stand-alone accuracies of an earlier run's SUPERNET_RANK_JSON (same archs and seed), not trained again.
  const earlier = textArg('standalone');
  const known = earlier
    ? new Map((JSON.parse(fs.readFileSync(earlier, 'utf8')) as { rows: { arch: string; standalone: number }[] }).rows.map((r) => [r.arch, r.standalone]))
    : undefined;
  const torch =
    textArg('engine') === 'torch'
      ? { python: process.env['NAS_PYTHON'] ?? '/usr/bin/python3', slots: torchSlots([], 1), description: 'torch on the CPU' }
      : undefined;
  registerTrainingEvaluators();
  const ws = new NasWorkspace();
  const doc = await ws.addFile(path.join(ROOT, 'examples/fashion_search.nas'));
  const root = doc.parseResult.value as Document;
  const specOf = (name: string) => readSearchSpec(root.elements.find((e): e is Search => e.$type === 'Search' && e.name === name)!).spec!;
  const sposSpec = specOf('FashionSPOS');
  const prepared = prepareSearch(sposSpec);
  const space = prepared.space;
  // Scored on the whole validation split, as the stand-alone networks are (val_images does not change the supernet).
  const spos = {
    spec: sposSpec,
    evaluator: createEvaluator(
      'supernet',
      space,
      {
        ...sposSpec.evaluator.settings,
        val_images: 0,
        ...(share ? { share } : {}),
        ...(torch ? { cache: fs.mkdtempSync(path.join(os.tmpdir(), 'nas-supernet-rank-')) } : {}),
      },
      {
        wanted: new Set(['accuracy']),
        log: (line) => console.error(`  ${line}`),
        constraints: sposSpec.constraints,
        ...(torch ? { torch } : {}),
      },
    ),
  };
  const standalone = specOf('FashionSearch');
  const signal = new AbortController().signal;
  const t0 = performance.now();
  await spos.evaluator.prepare!(signal);
  const supernetSeconds = (performance.now() - t0) / 1000;

  // 20 distinct architectures drawn uniformly from the feasible part (the MACs bound).
  const sampler = new FeasibleSampler(space, spos.spec.constraints, seed);
  const rng = new Rng(seed ^ 0x7a0);
  const archs: Arch[] = [];
  const seen = new Set<string>();
  while (archs.length < count) {
    const a = sampler.sample(rng);
    if (seen.has(a.encoding)) continue;
    archs.push(a);
    seen.add(a.encoding);
  }

  // Stand-alone: the train evaluator with the FashionSearch recipe at its last rung.
  const trainSettings = { ...standalone.evaluator.settings, fidelities: [9000], test: false };
  const train: Evaluator = createEvaluator('train', space, trainSettings, { wanted: new Set(['accuracy']), log: (l) => console.error(`  ${l}`) });
  await train.prepare?.(signal);

  const rows: { arch: string; macs: number; inherited: number; standalone: number; seconds: number }[] = [];
  let scoreSeconds = 0;
  let trainSeconds = 0;
  for (const arch of archs) {
    const c = new LazyCandidate(space, arch, space.id(arch), space.costs(arch));
    const s0 = performance.now();
    const inherited = (await spos.evaluator.evaluate(c, { signal })).metrics['accuracy']!;
    const s1 = performance.now();
    const text = describeArchitecture(space, arch, 'summary');
    const alone =
      known?.get(text) ?? (await train.evaluate(new LazyCandidate(space, arch, space.id(arch), space.costs(arch)), { signal })).metrics['accuracy']!;
    const s2 = performance.now();
    scoreSeconds += (s1 - s0) / 1000;
    trainSeconds += (s2 - s1) / 1000;
    const row = { arch: text, macs: c.costs.macs, inherited, standalone: alone, seconds: (s2 - s1) / 1000 };
    rows.push(row);
    console.error(`  ${rows.length}/${count}: inherited ${inherited.toFixed(2)}  stand-alone ${alone.toFixed(2)}  ${row.arch}`);
  }
  const a = rows.map((r) => r.inherited);
  const b = rows.map((r) => r.standalone);
  const tau = kendallTau(a, b);
  const rho = spearmanRho(a, b);
  const outcome = (spos.evaluator as { outcome?: { how: string; steps: number; seconds: number; file: string } }).outcome;
  console.log(`supernet: ${outcome?.how} (${outcome?.steps} steps, ${supernetSeconds.toFixed(0)} s here) ${outcome?.file}`);
  console.log(
    `scoring with inherited weights: ${(scoreSeconds / count).toFixed(2)} s per architecture; stand-alone training: ${(trainSeconds / count).toFixed(1)} s per architecture`,
  );
  console.log('');
  console.log('| # | architecture | MACs | inherited acc. (%) | stand-alone acc. (%) |');
  console.log('|---|---|---|---|---|');
  rows.forEach((r, i) => console.log(`| ${i + 1} | ${r.arch} | ${r.macs.toLocaleString('en-US')} | ${r.inherited.toFixed(2)} | ${r.standalone.toFixed(2)} |`));
  console.log('');
  console.log(`Kendall tau-b = ${tau.toFixed(3)}, Spearman rho = ${rho.toFixed(3)} over ${count} architectures`);
  if (process.env['SUPERNET_RANK_JSON']) fs.writeFileSync(process.env['SUPERNET_RANK_JSON'], JSON.stringify({ rows, tau, rho }, null, 2));
  await spos.evaluator.close?.();
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
