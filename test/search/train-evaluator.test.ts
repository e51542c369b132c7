/**
 * The `train` evaluator under the search engine: candidates trained on real data (Fashion-MNIST
 * from its Debian package) and on the embedded shapes10, fidelities under successive halving,
 * failures that stay in their trial, per-epoch validation figures recorded, a time limit, early stopping, cancellation between
 * batches, and no tensor left behind over 100 trials. Tiny networks and tiny data: bounded by
 * counts, not time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingEvaluators } from '../../src/core/search/evaluators/training.js';
import { selectBackend } from '../../src/core/train/backend.js';
import { createShapes10, splitTrainVal, computeChannelStats } from '../../src/core/train/data/index.js';
import { buildModelFromResult } from '../../src/core/train/model-builder/index.js';
import { trainTrial } from '../../src/core/train/trial.js';
import { elaborate } from '../../src/core/semantics/evaluator/index.js';
import type { TrialEvent } from '../../src/protocol/search-events.js';
import { build } from '../helpers/nas.js';
import { prepare, run, searchSpec } from './helpers.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => {} });
  registerTrainingEvaluators();
});

/** 5 x 2 x 3 x 4 = 120 architectures of a few hundred parameters on 8x8 images; `fc(5)` cannot fit 10 classes. */
const TINY = `
space Tiny {
  input(3, 8, 8)
  conv(choice(4, 6, 8, 10, 12), k=choice(1, 3)) -> bn -> relu
  conv(choice(4, 6, 8), k=3, stride=2) -> bn -> relu
  gap -> fc(choice(10, 12, 16, 5))
}
`;

async function tinySearch(block: string) {
  const b = await build(`${TINY}\nsearch S {\n  space Tiny\n${block}\n}\n`);
  expect(b.errors).toEqual([]);
  return prepare(searchSpec(b, 'S'));
}

describe('train evaluator', () => {
  it('100 trials on shapes10: every architecture trained or failed in its own trial, and the live tensor count never grows', async () => {
    const p = await tinySearch(
      '  strategy random\n  maximize accuracy\n  evaluator train(data = "shapes10", images = 40, epochs = 1, batch = 10, test = false)\n  budget 100',
    );
    const counts: number[] = [];
    const { done, events } = await run(p, 3, {
      onEvent: (e) => {
        if (e.event === 'trial') counts.push(tf.memory().numTensors);
      },
    });
    expect(done.evaluations).toBe(100);
    const trials = events.filter((e): e is TrialEvent => e.event === 'trial');
    const failed = trials.filter((t) => t.status === 'error');
    // The fc(5) option (a quarter of the space) fails its trials with the reason; the others train.
    expect(failed.length).toBeGreaterThan(10);
    for (const t of failed) expect(t.error).toMatch(/has 5 outputs, the data has 10 classes/);
    for (const t of trials.filter((x) => x.status === 'ok')) expect(t.metrics['accuracy']).toBeGreaterThanOrEqual(0);
    expect(done.failed).toBe(failed.length);
    expect(new Set(counts)).toEqual(new Set([counts[0]]));
  });

  it('fidelities in epochs under successive halving: rungs recorded, the test split reported at the full fidelity only', async () => {
    const p = await tinySearch(
      '  strategy random(halving = 2)\n  maximize accuracy\n  evaluator train(data = "shapes10", images = 40, val_fraction = 0.5, fidelities = [1, 2], batch = 10)\n  budget 8',
    );
    expect(p.evaluator.fidelities).toEqual([1, 2]);
    const { events } = await run(p, 1);
    const trials = events.filter((e): e is TrialEvent => e.event === 'trial' && e.status === 'ok');
    expect(trials.length).toBeGreaterThan(3);
    for (const t of trials) {
      expect(t.rungs!.map((r) => r.fidelity)).toEqual(t.fidelity === 2 ? [1, 2] : [1]);
      expect(t.reported !== undefined).toBe(t.fidelity === 2);
      // Intermediate values: one per epoch trained at the fidelity, the last one the trial's metrics.
      expect(t.epochs!.map((e) => e.epoch)).toEqual(t.fidelity === 2 ? [1, 2] : [1]);
      expect(t.epochs!.at(-1)).toEqual({ epoch: t.fidelity, accuracy: t.metrics['accuracy'], loss: t.metrics['loss'] });
    }
    expect(trials.some((t) => t.fidelity === 2)).toBe(true);
    expect(trials.some((t) => t.fidelity === 1)).toBe(true);
  });

  it('Fashion-MNIST: a few hundred images train a candidate well above chance; the test split is reported', async () => {
    const b = await build(
      'space F {\n  input(1, 28, 28)\n  conv(choice(8, 16), k=3, stride=2) -> bn -> relu\n  conv(16, k=3, stride=2) -> bn -> relu\n  gap -> fc(10)\n}\n' +
        'search S {\n  space F\n  maximize accuracy\n  evaluator train(data = "fashion-mnist", images = 2000, epochs = 2, batch = 32, lr = 0.05, val_fraction = 0.02)\n  budget 1\n}\n',
    );
    const { done } = await run(prepare(searchSpec(b, 'S')), 0);
    expect(done.evaluations).toBe(1);
    expect(done.best!.metrics['accuracy']).toBeGreaterThan(40);
    expect(done.best!.reported!['accuracy']).toBeGreaterThan(40);
  });

  it('a trial over its time limit fails with the reason; the search goes on', async () => {
    const p = await tinySearch('  maximize accuracy\n  evaluator train(data = "shapes10", images = 200, epochs = 3, batch = 10, seconds = 0.001)\n  budget 3');
    const { done, events } = await run(p, 0);
    expect(done.evaluations).toBe(3);
    const trials = events.filter((e): e is TrialEvent => e.event === 'trial');
    for (const t of trials) expect(t.error).toMatch(/ran over its time limit of 0.001 s \(0 of 3 epochs done\)|has 5 outputs/);
  });

  it('cancelled between batches: the trial in flight is not recorded and its tensors are freed', async () => {
    const p = await tinySearch('  maximize accuracy\n  evaluator train(data = "shapes10", images = 400, epochs = 2, batch = 10, test = false)\n  budget 5');
    await p.evaluator.prepare!(new AbortController().signal);
    const before = tf.memory().numTensors;
    const ctrl = new AbortController();
    const { done, events } = await run(p, 0, {
      signal: ctrl.signal,
      // Abort right after the first trial: the loop yields after each batch of the second.
      onEvent: (e) => e.event === 'trial' && setImmediate(() => ctrl.abort()),
    });
    expect(done.stopped).toBe('cancelled');
    expect(events.filter((e) => e.event === 'trial')).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('setup problems stop the search before its first trial, with the reason', async () => {
    const wrong = await tinySearch('  maximize accuracy\n  evaluator train(data = "fashion-mnist")');
    await expect(wrong.evaluator.prepare!(new AbortController().signal)).rejects.toThrow(
      /space Tiny takes 3x8x8 images, the data \(mnist \/usr\/share\/datasets\/fashion-mnist .*\) has 1x28x28/,
    );
    const unknown = await tinySearch('  maximize accuracy\n  evaluator train(data = "imagenet")');
    await expect(unknown.evaluator.prepare!(new AbortController().signal)).rejects.toThrow(/data = "imagenet": unknown dataset 'imagenet'/);
  });
});

describe('trainTrial', () => {
  it('early stopping: with nothing learnt, training stops after `patience` epochs without improvement', async () => {
    const b = await build('network N {\n  input(3, 8, 8)\n  conv(4, k=3) -> bn -> relu\n  gap -> fc(10)\n}\n');
    const model = buildModelFromResult(elaborate(b.def('N')), b.def('N'));
    const all = createShapes10({ length: 60, seed: 1, size: 8 });
    const { train, val } = splitTrainVal(all, 0.5, 1);
    try {
      // A learning rate too small to move the weights: the validation accuracy never improves.
      const r = await trainTrial(
        model,
        { train, val, stats: computeChannelStats(train) },
        {
          epochs: 10,
          batchSize: 10,
          lr: 1e-12,
          momentum: 0,
          weightDecay: 0,
          seed: 0,
          augment: false,
          patience: 2,
          seconds: 0,
          signal: new AbortController().signal,
        },
      );
      expect(r.stoppedEarly).toBe(true);
      expect(r.epochs).toHaveLength(3);
    } finally {
      model.dispose();
    }
  });
});
