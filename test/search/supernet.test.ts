/**
 * The `supernet` evaluator (SPOS weight sharing): the weight store really shares tensors
 * between paths and keeps options apart, batch-norm recalibration gives the statistics a
 * direct computation gives, every path trained meets the search's cost constraint, a tiny
 * search runs end to end and is deterministic, a saved supernet is loaded instead of trained,
 * and a cancel during training saves nothing. Tiny spaces, shapes10, a few dozen steps:
 * bounded by counts, not time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import { registerTrainingEvaluators } from '../../src/core/search/evaluators/training.js';
import type { SupernetEvaluator } from '../../src/core/search/evaluators/supernet.js';
import { LazyCandidate } from '../../src/core/search/runner.js';
import type { Arch } from '../../src/core/search/types.js';
import { selectBackend } from '../../src/core/train/backend.js';
import { streamBatches, type Batch } from '../../src/core/train/data/pipeline.js';
import { computeChannelStats, createShapes10 } from '../../src/core/train/data/index.js';
import { buildModel, describeModel } from '../../src/core/train/model-builder/index.js';
import { createSgdStep } from '../../src/core/train/step.js';
import { runTrainingLoop } from '../../src/core/train/loop.js';
import { openEvaluatorData, spaceShape } from '../../src/core/search/evaluators/training-data.js';
import { recalibrateBatchNorm } from '../../src/core/train/supernet/bn-recalibration.js';
import { sharedWeightKeys, WeightStore } from '../../src/core/train/supernet/weight-store.js';
import type { SearchEvent, SetupEvent, TrialEvent } from '../../src/protocol/search-events.js';
import { build } from '../helpers/nas.js';
import { prepare, run, searchSpec } from './helpers.js';
import { prepareSearch } from '../../src/core/search/prepare.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => {} });
  registerTrainingEvaluators();
});

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'nas-supernet-test-'));

/** A cell-like choice of blocks (as NAS-Bench-201's edges), then a layer-wise width choice. */
const SPACE = `
block Conv(C: int, k: int) {
  conv(C, k=k) -> bn -> relu
}
block Edge(C: int) {
  choice(c1: Conv(C, k=1), c3: Conv(C, k=3), c3b: Conv(C, k=3), pool: maxpool(3, stride=1, pad=1))
}
space Tiny {
  input(3, 8, 8)
  conv(8, k=3) -> bn -> relu
  Edge(8)
  conv(choice(4, 8), k=1) -> bn -> relu
  gap -> fc(10)
}
`;

async function tinySpace(): Promise<ArchitectureSpace> {
  const b = await build(SPACE);
  expect(b.errors).toEqual([]);
  return new ArchitectureSpace(b.def('Tiny'));
}

/** The architecture with these options, by each key's number of options (4: the edge, 2: the width). */
function archOf(space: ArchitectureSpace, edge: number, width: number) {
  return space.fromGenes(Int32Array.from(space.keys.map((k) => (k.options === 4 ? edge : width))));
}

function pathOf(space: ArchitectureSpace, arch: Arch) {
  const c = new LazyCandidate(space, arch, arch.encoding, space.costs(arch));
  const r = c.elaborate();
  const spec = describeModel(r, space.def, arch.encoding);
  return { spec, keys: sharedWeightKeys(r, spec, c.decisions) };
}

describe('weight store', () => {
  it('two paths that take the same option read and write the same tensor; other options have their own', async () => {
    const space = await tinySpace();
    expect(space.keys.map((k) => k.options).sort()).toEqual([2, 4]);
    const store = new WeightStore();
    const a = pathOf(space, archOf(space, 1, 1)); // edge c3, width 8
    const b = pathOf(space, archOf(space, 1, 0)); // edge c3, width 4
    const c = pathOf(space, archOf(space, 2, 1)); // edge c3b: same op and shapes as c3, another option
    const d = pathOf(space, archOf(space, 0, 1)); // edge c1
    const ma = buildModel(a.spec, { shared: store.sharedFor(a.keys) });
    const mb = buildModel(b.spec, { shared: store.sharedFor(b.keys) });
    const mc = buildModel(c.spec, { shared: store.sharedFor(c.keys) });
    const md = buildModel(d.spec, { shared: store.sharedFor(d.keys) });
    // The edge's conv: a and b take the same option.
    const edgeConv = [...a.keys.keys()].find((n) => n.startsWith('Edge') && n.endsWith('conv.weight'))!;
    expect(a.keys.get(edgeConv)).toBe(b.keys.get(edgeConv));
    expect(ma.trainable.get(edgeConv)).toBe(mb.trainable.get(edgeConv));
    // Another option of the same choice: never the same tensor, even with the same name and shape.
    expect(c.keys.has(edgeConv)).toBe(true);
    expect(c.keys.get(edgeConv)).not.toBe(a.keys.get(edgeConv));
    expect(mc.trainable.get(edgeConv)).not.toBe(ma.trainable.get(edgeConv));
    const edgeBn = edgeConv.replace('conv.weight', 'bn.weight');
    expect(md.trainable.get(edgeBn)).not.toBe(ma.trainable.get(edgeBn));
    // The width choice: 4 or 8 output channels are different tensors; a and c both have 8 (the fc too).
    expect(ma.trainable.get('conv_1.weight')).not.toBe(mb.trainable.get('conv_1.weight'));
    expect(ma.trainable.get('conv_1.weight')).toBe(mc.trainable.get('conv_1.weight'));
    expect(ma.trainable.get('fc.weight')).toBe(mc.trainable.get('fc.weight'));
    expect(ma.trainable.get('fc.weight')).not.toBe(mb.trainable.get('fc.weight'));

    // One SGD step of path a changes what path b reads, and nothing path c owns alone.
    const before = mb.trainable.get(edgeConv)!.dataSync().slice();
    const untouched = mc.trainable.get(edgeConv)!.dataSync().slice();
    const step = createSgdStep(ma, { momentum: 0.9, weightDecay: 0, labelSmoothing: 0, momentumBuffer: store.momentumFor(a.keys) });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    step.run(x, y, 0.1);
    tf.dispose([x, y]);
    step.dispose();
    expect(Array.from(mb.trainable.get(edgeConv)!.dataSync())).not.toEqual(Array.from(before));
    expect(Array.from(mc.trainable.get(edgeConv)!.dataSync())).toEqual(Array.from(untouched));
    // Models free their own tensors only: the store's survive them.
    const count = store.size;
    for (const m of [ma, mb, mc, md]) m.dispose();
    expect(store.size).toBe(count);
    expect(store.variable(a.keys.get(edgeConv)!)!.isDisposed).toBe(false);
    const live = tf.memory().numTensors;
    store.dispose();
    expect(tf.memory().numTensors).toBeLessThan(live);
  });

  it('keys name the weight, the call site, the options of the enclosing choices and the shape', async () => {
    const space = await tinySpace();
    const { keys } = pathOf(space, archOf(space, 1, 1));
    const edgeConv = [...keys.entries()].find(([n]) => n.startsWith('Edge') && n.endsWith('conv.weight'))!;
    expect(edgeConv[1]).toMatch(/^Edge\.Conv\S*\.conv\.weight\|Conv@2:\d+\|Edge@\d+:\d+\S*=1\|3x3x8x8$/);
    expect(keys.get('conv.weight')).toMatch(/^conv\.weight\|Tiny@\d+:\d+\|\|3x3x3x8$/);
  });
});

describe('batch-norm recalibration', () => {
  it("running statistics become the mean over batches of each BN input's batch mean and unbiased variance", async () => {
    const b = await build('space N {\n  input(3, 8, 8)\n  conv(6, k=3) -> bn -> relu\n  conv(5, k=3, stride=2) -> bn -> relu\n  gap -> fc(10)\n}\n');
    const space = new ArchitectureSpace(b.def('N'));
    const arch = space.fromGenes(new Int32Array(0));
    const model = buildModel(describeModel(space.elaborate(arch), space.def), { seed: 3 });
    const source = createShapes10({ length: 40, size: 8, seed: 1 });
    const stats = computeChannelStats(source);
    const batches: Batch[] = [];
    for await (const x of streamBatches(source, { batchSize: 10, stats, shuffle: true, seed: 0, epoch: 0 })) batches.push(x);
    expect(batches).toHaveLength(4);
    // The state before: fresh (mean 0, var 1) and then moved by a training-mode pass with momentum 0.1.
    tf.tidy(() => void model.forward(tf.tensor4d(batches[0]!.x, batches[0]!.shape), true));
    const got = recalibrateBatchNorm(model, batches);

    // Direct computation with plain tensor ops: conv, BN in training mode, ReLU, conv.
    const w = (n: string) => model.trainable.get(n)! as tf.Tensor;
    const direct = { bn: { m: new Float64Array(6), v: new Float64Array(6) }, bn_1: { m: new Float64Array(5), v: new Float64Array(5) } };
    const addStats = (t: tf.Tensor4D, into: { m: Float64Array; v: Float64Array }) => {
      const [n, h, ww, c] = t.shape;
      const data = t.dataSync();
      const count = n * h * ww;
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = 0; i < count; i++) s += data[i * c + ch]!;
        const mean = s / count;
        let q = 0;
        for (let i = 0; i < count; i++) q += (data[i * c + ch]! - mean) ** 2;
        into.m[ch] += mean / batches.length;
        into.v[ch] += q / (count - 1) / batches.length;
      }
    };
    for (const batch of batches) {
      tf.tidy(() => {
        const x = tf.tensor4d(batch.x, batch.shape);
        const y1 = tf.conv2d(x, w('conv.weight') as tf.Tensor4D, 1, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        addStats(y1, direct.bn);
        const { mean, variance } = tf.moments(y1, [0, 1, 2]);
        const n1 = tf.relu(tf.batchNorm(y1, mean, variance, w('bn.bias') as tf.Tensor1D, w('bn.weight') as tf.Tensor1D, 1e-5)) as tf.Tensor4D;
        const y2 = tf.conv2d(n1, w('conv_1.weight') as tf.Tensor4D, 2, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        addStats(y2, direct.bn_1);
      });
    }
    for (const name of ['bn', 'bn_1'] as const) {
      const state = model.state;
      const rm = Array.from(state.get(`${name}.running_mean`)!.dataSync());
      const rv = Array.from(state.get(`${name}.running_var`)!.dataSync());
      const want = direct[name];
      rm.forEach((x, i) => expect(x).toBeCloseTo(want.m[i]!, 4));
      rv.forEach((x, i) => expect(x / want.v[i]!).toBeCloseTo(1, 4));
      expect(got.get(name)!.mean).toHaveLength(rm.length);
    }
    model.dispose();
  });
});

const SEARCH_SPACE = `
space Tiny {
  input(3, 8, 8)
  conv(choice(4, 6, 8, 12), k=choice(1, 3)) -> bn -> relu
  conv(choice(4, 8), k=3, stride=2) -> bn -> relu
  gap -> fc(10)
}
`;

async function supernetSearch(settings: string, extra = '') {
  const b = await build(
    `${SEARCH_SPACE}\nsearch S {\n  space Tiny\n  strategy evolution(population = 4, sample = 2)\n  maximize accuracy\n${extra}  evaluator supernet(data = "shapes10", images = 60, epochs = 2, batch = 10, calibration = 2, ${settings})\n  budget 6\n  seed 1\n}\n`,
  );
  expect(b.errors).toEqual([]);
  return prepare(searchSpec(b, 'S'));
}

const trialsOf = (events: SearchEvent[]) => events.filter((e): e is TrialEvent => e.event === 'trial');
const setupOf = (events: SearchEvent[]) => events.filter((e): e is SetupEvent => e.event === 'setup');

describe('supernet evaluator', () => {
  it('a tiny search runs end to end, reports training progress, is deterministic with a seed, and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const p = await supernetSearch(`cache = "${tmp()}"`);
    const first = await run(p, 1);
    p.evaluator.close!();
    expect(tf.memory().numTensors).toBe(before);
    const second = await run(await supernetSearch(`cache = "${tmp()}"`), 1);
    expect(first.done.evaluations).toBe(6);
    const setup = setupOf(first.events);
    expect(setup.filter((e) => e.phase === 'train').at(-1)).toMatchObject({ step: 10, steps: 10, epochs: 2 });
    expect(setup.at(-1)).toMatchObject({ phase: 'trained', evaluator: 'supernet', steps: 10 });
    expect(fs.existsSync(setup.at(-1)!.file!)).toBe(true);
    const a = trialsOf(first.events);
    expect(a.every((t) => t.status === 'ok' && t.metrics['accuracy']! >= 0 && t.metrics['accuracy']! <= 100)).toBe(true);
    expect(trialsOf(second.events).map((t) => [t.encoding, t.metrics])).toEqual(a.map((t) => [t.encoding, t.metrics]));
  });

  it('a saved supernet is loaded, not trained again, and scores every candidate as before', async () => {
    const cache = tmp();
    const trained = await run(await supernetSearch(`cache = "${cache}"`), 2);
    const loaded = await run(await supernetSearch(`cache = "${cache}"`), 2);
    expect(setupOf(trained.events).at(-1)!.phase).toBe('trained');
    const l = setupOf(loaded.events);
    expect(l).toHaveLength(1);
    expect(l[0]).toMatchObject({ phase: 'loaded', step: 10 });
    expect(trialsOf(loaded.events).map((t) => t.metrics)).toEqual(trialsOf(trained.events).map((t) => t.metrics));
    // Another recipe is another supernet.
    const other = await run(await supernetSearch(`cache = "${cache}", lr = 0.05`), 2);
    expect(setupOf(other.events).at(-1)!.phase).toBe('trained');
    expect(fs.readdirSync(cache)).toHaveLength(2);
  });

  it('every path trained meets the cost constraint, and so does every candidate', async () => {
    // macs <= 20k leaves the widths 4 and 6 at k=3 and everything at k=1 in the first layer.
    // Sharing by shapes gives each width its own tensor, so an infeasible width's would show.
    const p = await supernetSearch(`cache = "${tmp()}", share = "shapes"`, '  constraint macs <= 20000\n');
    const { events } = await run(p, 0);
    const store = (p.evaluator as SupernetEvaluator).weights!;
    // The tensors of the feasible paths, and those only infeasible paths have, by enumerating the space's 16.
    const space = p.space;
    const feasible = new Set<string>();
    const infeasible = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const arch = space.fromGenes(Int32Array.from([i % 4, (i >> 2) % 2, i >> 3]));
      for (const k of pathOf(space, arch).keys.values()) (space.costs(arch).macs <= 20000 ? feasible : infeasible).add(k);
    }
    for (const k of feasible) infeasible.delete(k);
    expect(infeasible.size).toBeGreaterThan(0);
    expect(feasible.size).toBeGreaterThan(10);
    expect(store.size).toBeGreaterThan(10);
    for (const k of store.keys()) expect(feasible.has(k)).toBe(true);
    for (const t of trialsOf(events)) expect(t.metrics['macs']).toBeLessThanOrEqual(20000);
  });

  it('paths that cannot be built are not trained, their candidates fail alone, and a tensor per width is pointed out', async () => {
    const b = await build(
      'space F {\n  input(3, 8, 8)\n  conv(choice(4, 8), k=3) -> bn -> relu\n  gap -> fc(choice(10, 5))\n}\n' +
        `search S {\n  space F\n  strategy grid\n  maximize accuracy\n  evaluator supernet(data = "shapes10", images = 60, epochs = 1, batch = 10, calibration = 1, share = "shapes", cache = "${tmp()}")\n  budget 4\n}\n`,
    );
    const lines: string[] = [];
    const p = prepareSearch(searchSpec(b, 'S'), { log: (l) => lines.push(l) });
    const { done, events } = await run(p, 0);
    expect(done.evaluations).toBe(4);
    const trials = trialsOf(events);
    expect(trials.filter((t) => t.status === 'error').map((t) => t.error)).toEqual([
      expect.stringMatching(/has 5 outputs, the data has 10 classes/),
      expect.stringMatching(/has 5 outputs, the data has 10 classes/),
    ]);
    expect(trials.filter((t) => t.status === 'ok')).toHaveLength(2);
    expect(lines.some((l) => /paths drawn could not be built and were not trained \(.*has 5 outputs/.test(l))).toBe(true);
    // conv(choice(4, 8)) keeps a tensor per width: the log suggests slices.
    expect(lines.some((l) => /\d+ ops have a tensor per shape .* share = "slices" trains them as one/.test(l))).toBe(true);
  });

  it('a space of one architecture trains exactly as the training loop trains that network alone', async () => {
    const b = await build(
      'space One {\n  input(3, 8, 8)\n  conv(6, k=3) -> bn -> relu\n  gap -> fc(10)\n}\n' +
        `search S {\n  space One\n  strategy grid\n  maximize accuracy\n  evaluator supernet(data = "shapes10", images = 40, epochs = 2, batch = 10, cache = "${tmp()}")\n  budget 1\n}\n`,
    );
    const p = prepare(searchSpec(b, 'S'));
    await p.evaluator.prepare!(new AbortController().signal);
    const store = (p.evaluator as SupernetEvaluator).weights!;
    const data = openEvaluatorData({ data: 'shapes10', seed: 0, valFraction: 0.1, images: 40, withTest: false }, 'One', spaceShape(p.space));
    const arch = p.space.fromGenes(new Int32Array(0));
    const model = buildModel(describeModel(p.space.elaborate(arch), p.space.def), { seed: 0 });
    await runTrainingLoop(model, data, { epochs: 2, batchSize: 10, lr: 0.1, seed: 0, augment: false });
    expect(model.trainable.size).toBe(5);
    for (const [name, v] of model.trainable) {
      const key = [...store.keys()].find((k) => k.startsWith(`${name}|`))!;
      const shared = store.variable(key)!.dataSync();
      v.dataSync().forEach((x, i) => expect(shared[i]).toBeCloseTo(x, 6));
    }
    model.dispose();
  });

  it('cancelled during training: the search stops before its first trial and saves nothing', async () => {
    const cache = tmp();
    const before = tf.memory().numTensors;
    const p = await supernetSearch(`cache = "${cache}"`);
    const ctrl = new AbortController();
    const { done, events } = await run(p, 0, {
      signal: ctrl.signal,
      onEvent: (e) => e.event === 'setup' && e.phase === 'train' && e.step === 3 && ctrl.abort(),
    });
    expect(done.stopped).toBe('cancelled');
    expect(done.evaluations).toBe(0);
    expect(setupOf(events).map((e) => e.step)).toEqual([1, 2, 3]);
    expect(fs.readdirSync(cache)).toEqual([]);
    p.evaluator.close!();
    expect(tf.memory().numTensors).toBe(before);
  });
});
