import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { conv2dFastFilterGrad, createTinyCnn } from '../../src/core/train/tiny-cnn';
import { useTrainingBackend } from './helpers';

beforeAll(async () => {
  await useTrainingBackend();
});

describe('conv2dFastFilterGrad', () => {
  // Reference: tfjs' own Conv2D gradient (Conv2DBackpropInput/Filter), same padding=1.
  for (const [n, h, w, cin, cout, stride] of [
    [2, 7, 7, 3, 4, 1],
    [2, 8, 8, 3, 5, 2],
    [3, 9, 6, 2, 3, 2],
    [1, 6, 10, 4, 2, 1],
  ] as const) {
    it(`matches tf.conv2d's value and gradients for x [${n},${h},${w},${cin}], ${cout} filters, stride ${stride}`, () => {
      const x = tf.randomNormal([n, h, w, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
      const k = tf.randomNormal([3, 3, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal(
        tf.conv2d(x, k, stride, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]).shape,
        0,
        1,
        'float32',
        3,
      );
      const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy));
      const ref = tf.grads(
        loss((a, b) =>
          tf.conv2d(a, b, stride, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]),
        ),
      )([x, k]);
      const got = tf.grads(loss((a, b) => conv2dFastFilterGrad(a, b, stride)))([x, k]);
      const yRef = tf.conv2d(x, k, stride, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const yGot = conv2dFastFilterGrad(x, k, stride);
      expect(yGot.shape).toEqual(yRef.shape);
      const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      const scale = (a: tf.Tensor) => tf.max(tf.abs(a)).dataSync()[0];
      expect(maxDiff(yGot, yRef)).toBeLessThan(1e-4 * scale(yRef));
      expect(got[0].shape).toEqual(x.shape);
      expect(got[1].shape).toEqual(k.shape);
      expect(maxDiff(got[0], ref[0])).toBeLessThan(1e-4 * scale(ref[0]));
      expect(maxDiff(got[1], ref[1])).toBeLessThan(1e-4 * scale(ref[1]));
      tf.dispose([x, k, dy, ...ref, ...got, yRef, yGot]);
    });
  }
});

describe('tiny CNN', () => {
  it('has the documented tensors, parameter count and output shape', () => {
    const m = createTinyCnn({ inputChannels: 3, numClasses: 10, widths: [8, 16], firstStride: 2, seed: 1 });
    try {
      expect([...m.trainable.keys()]).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias', 'conv2.weight', 'bn2.weight', 'bn2.bias', 'fc.weight', 'fc.bias']);
      expect([...m.state.keys()]).toEqual(['bn1.running_mean', 'bn1.running_var', 'bn2.running_mean', 'bn2.running_var']);
      expect(m.paramCount()).toBe(3 * 3 * 3 * 8 + 2 * 8 + 3 * 3 * 8 * 16 + 2 * 16 + 16 * 10 + 10);
      const y = m.forward(tf.zeros([2, 32, 32, 3]) as tf.Tensor4D, false);
      expect(y.shape).toEqual([2, 10]);
      y.dispose();
    } finally {
      m.dispose();
    }
  });

  it('is initialised identically from the same seed, differently from another', () => {
    const a = createTinyCnn({ inputChannels: 1, numClasses: 3, seed: 5 });
    const b = createTinyCnn({ inputChannels: 1, numClasses: 3, seed: 5 });
    const c = createTinyCnn({ inputChannels: 1, numClasses: 3, seed: 6 });
    const w = (m: typeof a) => Array.from(m.trainable.get('conv2.weight')!.dataSync());
    expect(w(b)).toEqual(w(a));
    expect(w(c)).not.toEqual(w(a));
    // Kaiming fan-out: std √(2 / (3·3·32)) for the 16→32 conv.
    const v = w(a);
    const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(std).toBeGreaterThan(0.9 * Math.sqrt(2 / 288));
    expect(std).toBeLessThan(1.1 * Math.sqrt(2 / 288));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('updates the batch-norm running statistics in training mode only', () => {
    const m = createTinyCnn({ inputChannels: 3, numClasses: 4, widths: [4, 8], seed: 1 });
    const x = tf.add(tf.mul(tf.randomNormal([8, 8, 8, 3], 0, 1, 'float32', 9), 2), 1) as tf.Tensor4D;
    const before = Array.from(m.state.get('bn1.running_var')!.dataSync());
    tf.dispose(m.forward(x, false));
    expect(Array.from(m.state.get('bn1.running_var')!.dataSync())).toEqual(before);
    tf.dispose(m.forward(x, true));
    expect(Array.from(m.state.get('bn1.running_var')!.dataSync())).not.toEqual(before);
    x.dispose();
    m.dispose();
  });
});
