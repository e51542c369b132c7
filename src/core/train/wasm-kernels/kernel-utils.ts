/**
 * Plumbing shared by the training kernels registered for the wasm backend.
 *
 * Kernels here are composites in the style of tfjs' own backends: they call other kernels'
 * `kernelFunc` directly (no engine, no tape) and free their intermediates with
 * `backend.disposeData`, so a composite costs no bookkeeping beyond its parts. Where no
 * fast wasm kernel fits, they read and write the wasm heap directly through typed-array
 * views (`typedArrayFromHeap`), which avoids the copies `readSync` would make.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` the training kernels use. */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type Attrs = Record<string, unknown>;

/** Runs a wasm kernel by name on TensorInfos, bypassing the engine. */
export function runKernel(backend: WasmBackend, name: string, inputs: Record<string, tf.TensorInfo>, attrs: Attrs = {}): tf.TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel '${name}' is not registered`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

export function free(backend: WasmBackend, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/**
 * A float32 view of a tensor on the wasm heap. Take views only after the last allocation
 * of a kernel: growing the heap detaches earlier views.
 */
export function f32(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function transpose(backend: WasmBackend, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runKernel(backend, 'Transpose', { x }, { perm });
}

export function reshape(backend: WasmBackend, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return runKernel(backend, 'Reshape', { x }, { shape });
}

/** NHWC slice of rows [0, h) and columns [0, w). */
export function cropNhwc(backend: WasmBackend, x: tf.TensorInfo, h: number, w: number): tf.TensorInfo {
  const [n, , , c] = x.shape;
  return runKernel(backend, 'Slice', { x }, { begin: [0, 0, 0, 0], size: [n, h, w, c] });
}

/**
 * Inserts (sh−1) zero rows and (sw−1) zero columns between the pixels of an NHWC tensor:
 * the "fractionally strided" form of a strided convolution's output gradient (Dumoulin &
 * Visin, "A guide to convolution arithmetic for deep learning", 2016, §4.5), which turns
 * a strided convolution's input gradient into a stride-1 convolution.
 */
export function dilateNhwc(backend: WasmBackend, x: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  const [n, h, w, c] = x.shape;
  const oh = (h - 1) * sh + 1,
    ow = (w - 1) * sw + 1;
  const out = backend.makeOutput([n, oh, ow, c], 'float32');
  const src = f32(backend, x),
    dst = f32(backend, out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const so = ((b * h + i) * w + j) * c,
          dOff = ((b * oh + i * sh) * ow + j * sw) * c;
        for (let k = 0; k < c; k++) dst[dOff + k] = src[so + k];
      }
    }
  }
  return out;
}

export type ConvInfo = tf.backend_util.Conv2DInfo;

/** Kernel arguments with inputs known present (tfjs types them as possibly undefined). */
export interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}
