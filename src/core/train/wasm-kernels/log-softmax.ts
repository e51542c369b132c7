/**
 * LogSoftmax for the wasm backend along the last axis, with the usual max shift for
 * stability: log_softmax(x) = (x − max x) − log Σ exp(x − max x). One pass per row over
 * the heap; tfjs' `tf.logSoftmax` op is a composite, this serves direct kernel calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackend, f32 } from './kernel-utils';

function logSoftmax(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { logits } = args.inputs;
  const { axis } = args.attrs as unknown as tf.LogSoftmaxAttrs;
  const rank = logits.shape.length;
  if (axis !== -1 && axis !== rank - 1) throw new Error(`LogSoftmax along a non-last axis (${axis}) is not supported`);
  const k = logits.shape[rank - 1];
  const out = backend.makeOutput(logits.shape, 'float32');
  const x = f32(backend, logits),
    y = f32(backend, out);
  for (let o = 0; o < x.length; o += k) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (x[o + j] > m) m = x[o + j];
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(x[o + j] - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < k; j++) y[o + j] = x[o + j] - lse;
  }
  return out;
}

export const logSoftmaxConfig: tf.KernelConfig = {
  kernelName: tf.LogSoftmax,
  backendName: 'wasm',
  kernelFunc: logSoftmax as unknown as tf.KernelFunc,
};
