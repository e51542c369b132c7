/**
 * A trained network fused: a small RepVGG (test/reparam/fixtures/fashion_repvgg.nas) trained
 * for one epoch on Fashion-MNIST with `nas train --save` (Debian's dataset-fashion-mnist),
 * fused with its trained weights by `nas fuse --weights --out-weights --verify`, and both
 * checkpoints run on the 10,000 test images: the same prediction for every image, so the same
 * test accuracy, which is also the one training measured. A slow test (`npm run test:slow`):
 * the epoch takes one to two minutes on two shared cores.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { buildModel, type BuiltModel, type ModelSpec } from '../../src/core/train/model-builder';
import { loadModelWeights, readSafetensorsFile } from '../../src/core/train/safetensors';
import { openMnist } from '../../src/core/train/data';
import { streamBatches, type ChannelStats } from '../../src/core/train/data/pipeline';
import type { FuseJson } from '../../src/cli/json-types';
import { makeTempDir } from '../train-data/helpers';
import { nasAsync } from './fusion-helpers';

const NET = path.join(__dirname, 'fixtures/fashion_repvgg.nas');
const FASHION = '/usr/share/datasets/fashion-mnist';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
  tmp = makeTempDir('fuse-trained');
});
afterAll(() => tmp.cleanup());

function modelOf(checkpoint: string): BuiltModel {
  const spec = JSON.parse(readSafetensorsFile(checkpoint).metadata['model_spec']!) as ModelSpec;
  const model = buildModel(spec);
  loadModelWeights(model, checkpoint);
  return model;
}

/** Each test image's predicted class, in eval mode. */
async function predict(model: BuiltModel, stats: ChannelStats): Promise<{ predictions: Int32Array; labels: Int32Array }> {
  const test = openMnist(FASHION, { split: 'test' });
  const predictions = new Int32Array(test.length);
  const labels = new Int32Array(test.length);
  let k = 0;
  for await (const b of streamBatches(test, { batchSize: 500, stats, shuffle: false, seed: 0, epoch: 0 })) {
    const p = tf.tidy(() => tf.argMax(model.forward(tf.tensor4d(b.x, b.shape), false), 1));
    predictions.set(p.dataSync() as Int32Array, k);
    labels.set(b.labels, k);
    p.dispose();
    k += b.labels.length;
  }
  return { predictions, labels };
}

describe('a RepVGG trained for an epoch on Fashion-MNIST, fused with its trained weights', () => {
  it('predicts every test image as before fusion: the same test accuracy', async () => {
    const trained = path.join(tmp.dir, 'trained.safetensors');
    const train = await nasAsync([
      'train',
      NET,
      '--data',
      'fashion-mnist',
      '--epochs',
      '1',
      '--batch',
      '128',
      '--test-split',
      '--save',
      trained,
      '--json',
      '--no-progress',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const deploy = path.join(tmp.dir, 'deploy.safetensors');
    const fuse = await nasAsync([
      'fuse',
      NET,
      '--weights',
      trained,
      '--out',
      path.join(tmp.dir, 'fashion.deploy.nas'),
      '--out-weights',
      deploy,
      '--verify',
      '--json',
    ]);
    expect(fuse.code, fuse.stderr).toBe(0);
    const j = JSON.parse(fuse.stdout) as FuseJson;
    expect(j.blocks).toHaveLength(4);
    expect(j.verify!.ok).toBe(true);
    expect(j.after.params).toBeLessThan(j.before.params);

    const meta = readSafetensorsFile(trained).metadata;
    const stats: ChannelStats = { mean: JSON.parse(meta['normalize_mean']!), std: JSON.parse(meta['normalize_std']!) };
    // The deployment checkpoint carries what the trained one says about its data.
    const deployMeta = readSafetensorsFile(deploy).metadata;
    expect([deployMeta['normalize_mean'], deployMeta['normalize_std'], deployMeta['epoch']]).toEqual([meta['normalize_mean'], meta['normalize_std'], '1']);
    const before = modelOf(trained);
    const after = modelOf(deploy);
    try {
      expect(after.paramCount()).toBe(j.after.params);
      const a = await predict(before, stats);
      const b = await predict(after, stats);
      const accuracy = (p: Int32Array) => p.reduce((n, c, i) => n + (c === a.labels[i] ? 1 : 0), 0) / p.length;
      const disagreements = a.predictions.reduce((n, c, i) => n + (c !== b.predictions[i] ? 1 : 0), 0);
      expect(disagreements).toBe(0);
      expect(accuracy(b.predictions)).toBe(accuracy(a.predictions));
      // One epoch learns: far above chance (10 %), and what training measured on the same split.
      expect(accuracy(a.predictions)).toBeGreaterThan(0.6);
      expect(Math.abs(accuracy(a.predictions) - Number(meta['val_acc']))).toBeLessThanOrEqual(2 / 10_000);
    } finally {
      before.dispose();
      after.dispose();
    }
  });
});
