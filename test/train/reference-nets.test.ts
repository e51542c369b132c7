import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { REFERENCE_NET_NAMES, buildReferenceNet } from '../../src/core/train/reference-nets';
import { batchNormTrain } from '../../src/core/train/batch-norm';
import { createSgdStep } from '../../src/core/train/step';

/**
 * Parameter counts printed by the PyTorch peer (shared/peers/torch_train_peer.py, PyTorch
 * 1.13 from Debian's python3-torch): `sum(t.numel() for t in model.parameters())`.
 *   /usr/bin/python3 torch_train_peer.py --net small|nb201|mbconv --json  → "params"
 */
const PYTORCH_PARAM_COUNTS = { small: 14746, nb201: 1531546, mbconv: 54666 } as const;

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => {} });
});

describe('reference networks', () => {
  it.each(REFERENCE_NET_NAMES)("%s has the PyTorch peer's parameter count and 10 logits", (name) => {
    const model = buildReferenceNet(name);
    expect(model.paramCount()).toBe(PYTORCH_PARAM_COUNTS[name]);
    const logits = tf.tidy(() => model.forward(tf.zeros([2, 32, 32, 3]), false));
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    model.dispose();
  });

  it('names parameters after the PyTorch module paths', () => {
    const model = buildReferenceNet('nb201');
    const names = [...model.trainable.keys()];
    expect(names).toContain('0.weight');
    expect(names).toContain('2.edges.5.1.weight');
    expect(names).toContain('7.short.1.weight');
    expect(names).toContain('23.bias');
    expect([...model.state.keys()]).toContain('19.running_var');
    expect(model.trainable.get('7.a.1.weight')!.shape).toEqual([3, 3, 16, 32]);
    model.dispose();
  });

  it.each(['small', 'mbconv'] as const)('%s: wasm and cpu give the same loss and gradients', async (name) => {
    const x = new Float32Array(2 * 32 * 32 * 3).map((_, i) => Math.sin(i * 0.37));
    async function lossAndGrads(backend: string) {
      await tf.setBackend(backend);
      const model = buildReferenceNet(name, { seed: 3 });
      const res = tf.tidy(() => {
        const xs = tf.tensor4d(x, [2, 32, 32, 3]);
        const vars = [...model.trainable.values()];
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10), model.forward(xs, true)) as tf.Scalar,
          vars,
        );
        return { loss: value.dataSync()[0], grads: vars.map((v) => Float32Array.from(grads[v.name].dataSync() as Float32Array)) };
      });
      model.dispose();
      return res;
    }
    const w = await lossAndGrads('wasm');
    const c = await lossAndGrads('cpu');
    await tf.setBackend('wasm');
    expect(w.loss).toBeCloseTo(c.loss, 4);
    w.grads.forEach((g, i) => {
      let scale = 1e-3,
        err = 0;
      for (let j = 0; j < g.length; j++) {
        scale = Math.max(scale, Math.abs(c.grads[i][j]));
        err = Math.max(err, Math.abs(g[j] - c.grads[i][j]));
      }
      expect(err / scale, `variable ${i}`).toBeLessThan(2e-3);
    });
  });

  it('trains on wasm without leaking tensors and lowers the loss on a fixed batch', () => {
    const model = buildReferenceNet('small', { seed: 1 });
    const step = createSgdStep(model, { momentum: 0.9, weightDecay: 5e-4, labelSmoothing: 0 });
    const x = tf.randomNormal([16, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const y = tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 10),
      'int32',
    );
    const first = step.run(x, y, 0.1);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 25; i++) last = step.run(x, y, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    expect(last.loss).toBeLessThan(first.loss * 0.8);
    expect(last.correct).toBeGreaterThanOrEqual(0);
    step.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe('batchNormTrain', () => {
  it('matches the autodiff of the textbook formula and PyTorch running statistics', () => {
    const xData = new Float32Array(3 * 4 * 5 * 6).map((_, i) => Math.cos(i * 0.91) * 2 + (i % 6));
    const dyData = new Float32Array(xData.length).map((_, i) => Math.sin(i * 1.3));
    const res = tf.tidy(() => {
      const x = tf.tensor4d(xData, [3, 4, 5, 6]);
      const dy = tf.tensor4d(dyData, [3, 4, 5, 6]);
      const gamma = tf.tensor1d([1, 0.5, 2, -1, 1.5, 0.25]);
      const beta = tf.tensor1d([0, 1, -1, 0.5, 2, -2]);
      const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const r = batchNormTrain(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
        tf.dispose([r.mean, r.variance]);
        return tf.sum(tf.mul(r.y, dy));
      };
      const textbook = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const m = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.mul(tf.add(tf.mul(tf.div(tf.sub(a, m.mean), tf.sqrt(tf.add(m.variance, 1e-5))), g), b), dy));
      };
      const gf = tf
        .grads(fused)([x, gamma, beta])
        .map((t) => t.dataSync());
      const gt = tf
        .grads(textbook)([x, gamma, beta])
        .map((t) => t.dataSync());
      const stats = batchNormTrain(x, gamma, beta, 1e-5);
      const mom = tf.moments(x, [0, 1, 2]);
      return { gf, gt, mean: stats.mean.dataSync(), variance: stats.variance.dataSync(), m: mom.mean.dataSync(), v: mom.variance.dataSync() };
    });
    res.gf.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(res.gt[i][j], 3)));
    res.mean.forEach((v, j) => expect(v).toBeCloseTo(res.m[j], 4));
    res.variance.forEach((v, j) => expect(v).toBeCloseTo(res.v[j], 3));
  });
});
