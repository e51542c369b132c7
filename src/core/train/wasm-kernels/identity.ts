/**
 * Identity for the wasm backend without a copy. tfjs' engine clones every tensor it saves
 * for the backward pass through this kernel; tfjs-backend-wasm copies the bytes, which in
 * the nb201 profile was ~2,000 full-activation copies per step. Tensors are immutable in
 * tfjs (kernels write only fresh outputs, variables swap data ids on assign), so sharing the
 * data id with a reference count is safe — it is what tfjs-backend-cpu does.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-utils';

function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
