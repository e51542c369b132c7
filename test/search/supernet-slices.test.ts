/**
 * Sharing by slices (`share = "slices"`): the options of a width or kernel choice read and
 * write slices of one tensor (leading channels, centred kernel), a tensor grows without
 * moving what it holds, and a search runs on it. Tiny spaces, shapes10, a few steps.
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
import { buildModel, describeModel } from '../../src/core/train/model-builder/index.js';
import { SliceSharing } from '../../src/core/train/supernet/weight-slices.js';
import { sharedWeightKeys, WeightStore } from '../../src/core/train/supernet/weight-store.js';
import type { TrialEvent } from '../../src/protocol/search-events.js';
import { build } from '../helpers/nas.js';
import { prepare, run, searchSpec } from './helpers.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => {} });
  registerTrainingEvaluators();
});

const SPACE = `
space W {
  input(3, 8, 8)
  conv(choice(4, 8), k=choice(3, 5)) -> bn -> relu
  gap -> fc(10)
}
`;

async function space(): Promise<ArchitectureSpace> {
  const b = await build(SPACE);
  expect(b.errors).toEqual([]);
  return new ArchitectureSpace(b.def('W'));
}

/** A path's model (its own variables) and its slots in `sharing`. */
function pathModel(s: ArchitectureSpace, sharing: SliceSharing, width: number, kernel: number) {
  const arch: Arch = s.fromGenes(Int32Array.from([width, kernel]));
  const c = new LazyCandidate(s, arch, arch.encoding, s.costs(arch));
  const r = c.elaborate();
  const spec = describeModel(r, s.def, arch.encoding);
  const keys = sharedWeightKeys(r, spec, c.decisions, true);
  const model = buildModel(spec, { seed: 5 });
  return { model, keys, slots: sharing.slots(model, keys) };
}

/** values[kh][kw][in][out] of an HWIO tensor as nested arrays. */
const nested = (t: tf.Tensor) => t.arraySync() as number[][][][];

describe('sharing by slices', () => {
  it('widths read and write the leading channels of one tensor; a larger kernel grows it around the old centre', async () => {
    const s = await space();
    const store = new WeightStore();
    const sharing = new SliceSharing(store);
    const wide = pathModel(s, sharing, 1, 0); // 8 channels, 3x3
    const narrow = pathModel(s, sharing, 0, 0); // 4 channels, 3x3
    expect(wide.keys.get('conv.weight')).toBe(narrow.keys.get('conv.weight'));
    const key = wide.keys.get('conv.weight')!;

    sharing.gather(wide.model, wide.slots);
    const full = nested(store.variable(key)!);
    expect(store.variable(key)!.shape).toEqual([3, 3, 3, 8]);
    sharing.gather(narrow.model, narrow.slots);
    const w4 = nested(narrow.model.trainable.get('conv.weight')!);
    expect(w4).toEqual(full.map((a) => a.map((b) => b.map((c) => c.slice(0, 4)))));

    // The narrow path writes its 4 channels; the other 4 stay.
    narrow.model.trainable.get('conv.weight')!.assign(tf.fill([3, 3, 3, 4], 7));
    sharing.scatter(narrow.model, narrow.slots);
    const after = nested(store.variable(key)!);
    expect(after).toEqual(full.map((a) => a.map((b) => b.map((c) => [7, 7, 7, 7, ...c.slice(4)]))));

    // A 5x5 option: the tensor grows to 5x5; the 3x3 values keep their place in its centre.
    const big = pathModel(s, sharing, 1, 1);
    sharing.gather(big.model, big.slots);
    expect(store.variable(key)!.shape).toEqual([5, 5, 3, 8]);
    const grown = nested(store.variable(key)!);
    expect(grown.slice(1, 4).map((row) => row.slice(1, 4))).toEqual(after);
    expect(nested(big.model.trainable.get('conv.weight')!)).toEqual(grown);
    // The 3x3 path still reads its own values.
    sharing.gather(narrow.model, narrow.slots);
    expect(nested(narrow.model.trainable.get('conv.weight')!)).toEqual(after.map((a) => a.map((b) => b.map((c) => c.slice(0, 4)))));
    for (const m of [wide, narrow, big]) m.model.dispose();
    store.dispose();
  });

  it('a search over slices runs: one tensor per weight whatever the option, no tensor left behind, and calibration is required', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-slices-test-'));
    const text = (calibration: number) =>
      `${SPACE}\nsearch S {\n  space W\n  strategy evolution(population = 2, sample = 2)\n  maximize accuracy\n` +
      `  evaluator supernet(data = "shapes10", images = 60, epochs = 1, batch = 10, calibration = ${calibration}, share = "slices", cache = "${cache}")\n  budget 4\n  seed 2\n}\n`;
    const b = await build(text(2));
    const before = tf.memory().numTensors;
    const p = prepare(searchSpec(b, 'S'));
    const { done, events } = await run(p, 2);
    expect(done.evaluations).toBe(4);
    for (const t of events.filter((e): e is TrialEvent => e.event === 'trial')) {
      expect(t.status).toBe('ok');
      expect(t.metrics['untrained_tensors']).toBeUndefined();
    }
    // conv weight, bn weight and bias, fc weight and bias: trainable tensors only, one each.
    const keys = [...(p.evaluator as SupernetEvaluator).weights!.keys()].map((k) => k.slice(0, k.indexOf('|'))).sort();
    expect(keys).toEqual(['bn.bias', 'bn.weight', 'conv.weight', 'fc.bias', 'fc.weight']);
    p.evaluator.close!();
    expect(tf.memory().numTensors).toBe(before);
    const none = prepare(searchSpec(await build(text(0)), 'S'));
    await expect(none.evaluator.prepare!(new AbortController().signal)).rejects.toThrow(/`share = "slices"` shares no batch-norm statistics/);
  });
});
