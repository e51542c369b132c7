/**
 * The memory-lean backward pass: the same gradients as tf.variableGrads (same tape, same
 * gradient functions, same order), a lower peak of live tensor bytes (tf.profile's
 * `peakBytes`, a count of bytes, not a time), and no tensor left behind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/core/train/backend';
import { leanVariableGrads } from '../../src/core/train/lean-gradients';
import { buildReferenceNetFromNas } from '../../src/core/train/reference-nets-nas';
import { computeSmoothedCrossEntropy } from '../../src/core/train/step';

beforeAll(async () => {
  await selectBackend({ force: 'wasm', log: () => undefined });
});

describe('leanVariableGrads', () => {
  it.each(['nb201', 'mbconv'] as const)('%s: gradients equal tf.variableGrads, peak bytes drop, nothing leaks', async (name) => {
    const model = await buildReferenceNetFromNas(name, 4);
    const vars = [...model.trainable.values()];
    const x = tf.tensor4d(
      Float32Array.from({ length: 8 * 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37)),
      [8, 32, 32, 3],
    );
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const loss = () => computeSmoothedCrossEntropy(model.forward(x, true), y, 0);
    const run = (lean: boolean) => {
      let out: { loss: number; grads: Map<string, Float32Array> } | undefined;
      const before = tf.memory().numTensors;
      return tf
        .profile(() => {
          const { value, grads } = lean ? leanVariableGrads(loss, vars) : tf.variableGrads(loss, vars);
          out = { loss: value.dataSync()[0]!, grads: new Map(vars.map((v) => [v.name, Float32Array.from(grads[v.name]!.dataSync() as Float32Array)])) };
          tf.dispose([value, ...Object.values(grads)]);
        })
        .then((p) => ({ ...out!, peak: p.peakBytes, leaked: tf.memory().numTensors - before }));
    };
    const std = await run(false);
    const lean = await run(true);
    expect(lean.leaked).toBe(0);
    expect(std.leaked).toBe(0);
    // Not bit-identical: batch-norm running statistics moved between the two runs, which
    // changes nothing in training mode; the arithmetic is the same, so equal to float32 rounding.
    expect(Math.abs(lean.loss - std.loss)).toBeLessThan(1e-6);
    for (const v of vars) {
      const a = lean.grads.get(v.name)!;
      const b = std.grads.get(v.name)!;
      let err = 0;
      let scale = 1e-12;
      for (let i = 0; i < a.length; i++) {
        err = Math.max(err, Math.abs(a[i]! - b[i]!));
        scale = Math.max(scale, Math.abs(b[i]!));
      }
      expect(err / scale, v.name).toBeLessThan(1e-6);
    }
    expect(lean.peak).toBeLessThan(0.75 * std.peak);
    model.dispose();
    tf.dispose([x, y]);
  });
});
