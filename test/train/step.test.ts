import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import type { TrainableModel } from '../../src/core/train/model';
import { createSgdStep, computeSmoothedCrossEntropy } from '../../src/core/train/step';

/** A linear classifier: small enough to compute the SGD update by hand in the test. */
function makeLinear(w0: number[][], b0: number[]): TrainableModel {
  const w = tf.variable(tf.tensor2d(w0), true, `lin.w.${Math.random()}`);
  const b = tf.variable(tf.tensor1d(b0), true, `lin.b.${Math.random()}`);
  return {
    name: 'linear',
    trainable: new Map<string, tf.Variable>([
      ['w', w],
      ['b', b],
    ]),
    state: new Map(),
    forward: (x) => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), w), b) as tf.Tensor2D,
    paramCount: () => w.size + b.size,
    dispose: () => {
      w.dispose();
      b.dispose();
    },
  };
}

/** Plain-array reference: softmax cross-entropy with smoothing and its gradient wrt logits. */
function referenceLossGrad(logits: number[][], labels: number[], eps: number) {
  const n = logits.length;
  const k = logits[0].length;
  let loss = 0;
  const dz: number[][] = [];
  for (let i = 0; i < n; i++) {
    const m = Math.max(...logits[i]);
    const e = logits[i].map((z) => Math.exp(z - m));
    const s = e.reduce((a, c) => a + c, 0);
    const p = e.map((v) => v / s);
    const t = logits[i].map((_, j) => (j === labels[i] ? 1 - eps : 0) + eps / k);
    loss -= t.reduce((a, tj, j) => a + tj * Math.log(p[j]), 0) / n;
    dz.push(p.map((pj, j) => (pj - t[j]) / n));
  }
  return { loss, dz };
}

describe.each(['cpu', 'wasm'] as const)('createSgdStep on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ force: backend, log: () => {} });
  });

  it.each([
    { momentum: 0.9, weightDecay: 5e-4, labelSmoothing: 0.1, nesterov: true },
    { momentum: 0.9, weightDecay: 5e-4, labelSmoothing: 0, nesterov: false },
    { momentum: 0, weightDecay: 1e-2, labelSmoothing: 0.1, nesterov: false },
  ])('matches a hand-computed PyTorch SGD update (momentum, weight decay, nesterov, label smoothing: %j)', (opts) => {
    const xs = [
      [0.5, -1, 2],
      [1, 0.25, -0.5],
      [-1.5, 0.5, 1],
    ];
    const labels = [0, 1, 1];
    let W = [
      [0.1, -0.2],
      [0.3, 0.05],
      [-0.1, 0.2],
    ];
    let B = [0.01, -0.02];
    const model = makeLinear(W, B);
    const step = createSgdStep(model, opts);
    const x = tf.tensor4d(xs.flat(), [3, 1, 1, 3]);
    const y = tf.tensor1d(labels, 'int32');
    let bufW = W.map((r) => r.map(() => 0));
    let bufB = B.map(() => 0);
    const lr = 0.05;
    for (let it = 0; it < 3; it++) {
      const logits = xs.map((r) => B.map((bj, j) => bj + r.reduce((a, xi, i) => a + xi * W[i][j], 0)));
      const { loss, dz } = referenceLossGrad(logits, labels, opts.labelSmoothing);
      const correct = logits.filter((z, i) => z.indexOf(Math.max(...z)) === labels[i]).length;
      const gW = W.map((r, i) => r.map((w, j) => xs.reduce((a, xr, n) => a + xr[i] * dz[n][j], 0) + opts.weightDecay * w));
      const gB = B.map((b, j) => dz.reduce((a, d) => a + d[j], 0) + opts.weightDecay * b);
      bufW = bufW.map((r, i) => r.map((v, j) => opts.momentum * v + gW[i][j]));
      bufB = bufB.map((v, j) => opts.momentum * v + gB[j]);
      const dW = (i: number, j: number) => (opts.nesterov ? gW[i][j] + opts.momentum * bufW[i][j] : bufW[i][j]);
      const dB = (j: number) => (opts.nesterov ? gB[j] + opts.momentum * bufB[j] : bufB[j]);
      W = W.map((r, i) => r.map((w, j) => w - lr * dW(i, j)));
      B = B.map((b, j) => b - lr * dB(j));
      const res = step.run(x, y, lr);
      expect(res.loss).toBeCloseTo(loss, 5);
      expect(res.correct).toBe(correct);
      const gotW = model.trainable.get('w')!.arraySync() as number[][];
      gotW.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(W[i][j], 5)));
      (model.trainable.get('b')!.arraySync() as number[]).forEach((v, j) => expect(v).toBeCloseTo(B[j], 5));
    }
    step.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });

  it('equals torch CrossEntropyLoss with label smoothing on a known case', () => {
    // torch.nn.CrossEntropyLoss(label_smoothing=0.2)(tensor([[2.,0.,-1.]]), tensor([0])) = 0.5556 (from the formula).
    const logits = tf.tensor2d([[2, 0, -1]]);
    const labels = tf.tensor1d([0], 'int32');
    const l = computeSmoothedCrossEntropy(logits, labels, 0.2);
    const ref = referenceLossGrad([[2, 0, -1]], [0], 0.2).loss;
    expect(l.dataSync()[0]).toBeCloseTo(ref, 6);
    tf.dispose([logits, labels, l]);
  });

  it('does not leak tensors across steps', () => {
    const model = makeLinear(
      [
        [0.1, 0.2],
        [0.3, 0.4],
        [0.5, 0.6],
      ],
      [0, 0],
    );
    const step = createSgdStep(model, { momentum: 0.9, weightDecay: 1e-4, labelSmoothing: 0 });
    const x = tf.randomNormal([4, 1, 1, 3]) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 0, 1], 'int32');
    step.run(x, y, 0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step.run(x, y, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    step.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});
