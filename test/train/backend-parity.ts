/**
 * The reference networks on the wasm backend against tfjs's cpu backend (plain JavaScript, the
 * reference): loss and gradients, and the running statistics a training pass leaves. The normal
 * tier (reference-nets.test.ts) checks `small`; reference-nets.slow.test.ts the larger nets,
 * whose cpu passes take tens of seconds (docs/adr/0026-test-command-time.md).
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildReferenceNet, type ReferenceNetName } from '../../src/core/train/reference-nets';
import { yieldToEventLoop } from '../helpers/event-loop.js';

/** wasm and cpu give the same loss and gradients for a batch of two. */
export async function expectSameLossAndGrads(name: ReferenceNetName): Promise<void> {
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
  await yieldToEventLoop();
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
}

/** A training forward pass (two batches) updates the running statistics equally on wasm and cpu. */
export async function expectSameRunningStats(name: ReferenceNetName): Promise<void> {
  const x = new Float32Array(4 * 32 * 32 * 3).map((_, i) => Math.sin(i * 0.53) * 1.5 + 0.2);
  async function stateAfter(backend: string): Promise<Map<string, Float32Array>> {
    await tf.setBackend(backend);
    const model = buildReferenceNet(name, { seed: 5 });
    tf.tidy(() => {
      const xs = tf.tensor4d(x, [4, 32, 32, 3]);
      model.forward(xs, true);
      model.forward(tf.mul(xs, 0.5) as tf.Tensor4D, true);
    });
    const out = new Map([...model.state].map(([k, v]) => [k, Float32Array.from(v.dataSync() as Float32Array)]));
    model.dispose();
    return out;
  }
  const w = await stateAfter('wasm');
  await yieldToEventLoop();
  const c = await stateAfter('cpu');
  await tf.setBackend('wasm');
  expect([...w.keys()]).toEqual([...c.keys()]);
  for (const [k, v] of w) {
    const ref = c.get(k)!;
    v.forEach((val, j) => expect(Math.abs(val - ref[j]), `${k}[${j}]: ${val} vs ${ref[j]}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[j]))));
  }
}
