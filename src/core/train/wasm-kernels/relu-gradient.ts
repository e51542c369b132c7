/**
 * Gradient of ReLU as one pass on the wasm backend (`NasReluGrad`: dy where x > 0, a SIMD
 * compare and mask), instead of tfjs' dy·step(cast(x)) — three kernels and two temporaries
 * per ReLU. Other backends get dy·step(x), the same mask (step(0) = 0, as in tfjs' form).
 * The gradient registry is global, so this definition serves every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD } from './simd-batch-norm';

export const reluGradientConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () =>
        tf.getBackend() === 'wasm' && x.dtype === 'float32'
          ? (tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }, {}) as tf.Tensor)
          : tf.mul(dy as tf.Tensor, tf.step(tf.cast(x, 'float32'))),
    };
  },
};
