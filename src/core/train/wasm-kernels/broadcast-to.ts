/**
 * BroadcastTo for the wasm backend: NumPy broadcasting (prepend unit dimensions, then
 * repeat) expressed with the wasm Reshape and Tile kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackend, free, reshape, runKernel } from './kernel-utils';

function broadcastTo(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs;
  const { shape } = args.attrs as unknown as tf.BroadCastToAttrs;
  const xShape = [...Array(shape.length - x.shape.length).fill(1), ...x.shape] as number[];
  const reps = shape.map((s: number, i: number) => {
    if (xShape[i] !== 1 && xShape[i] !== s) throw new Error(`BroadcastTo: cannot broadcast [${x.shape}] to [${shape}]`);
    return xShape[i] === s ? 1 : s;
  });
  const xr = reshape(backend, x, xShape);
  const out = runKernel(backend, 'Tile', { x: xr }, { reps });
  free(backend, xr);
  return out;
}

export const broadcastToConfig: tf.KernelConfig = {
  kernelName: tf.BroadcastTo,
  backendName: 'wasm',
  kernelFunc: broadcastTo as unknown as tf.KernelFunc,
};
