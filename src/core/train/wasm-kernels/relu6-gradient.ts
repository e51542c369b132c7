/**
 * Gradient of ReLU6 as dy·(step(x) − step(x − 6)): the same mask as tfjs' own gradient
 * (active for 0 < x ≤ 6), built from kernels that tfjs-backend-wasm vectorizes. tfjs' form,
 * dy·cast(lessEqual(x, 6)·step(x)), goes through LessEqual, which on wasm is a scalar loop
 * writing bools: 8% of an mbconv training step in the profile, for a mask.
 * The gradient registry is global, so this formula serves every backend; it is exact on all.
 */
import * as tf from '@tensorflow/tfjs-core';

export const relu6GradConfig: tf.GradConfig = {
  kernelName: tf.Relu6,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => tf.mul(dy as tf.Tensor, tf.sub(tf.step(x), tf.step(tf.sub(x, 6)))) };
  },
};
