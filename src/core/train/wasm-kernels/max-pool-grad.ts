/**
 * MaxPoolGrad for the wasm backend. tfjs-backend-wasm 4.22's own kernel drops the gradient
 * of some input pixels when the input has a border of very low values (the −∞ padding with
 * which the model builder reproduces PyTorch's padded max pooling: a 6x6 map padded to 8x8,
 * 3x3 windows, stride 1 lost 6 of 216 gradients against tfjs-backend-cpu). Here: per output
 * pixel and channel, the window's first maximum in row-major order (PyTorch's choice among
 * ties) receives dy; one pass over the wasm heap with channels innermost.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackend, f32 } from './kernel-utils';

function kernelFunc(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, input } = args.inputs;
  const a = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const out = backend.makeOutput(input.shape, 'float32');
  const x = f32(backend, input),
    g = f32(backend, dy),
    dx = f32(backend, out);
  dx.fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++) {
      const y0 = Math.max(0, i * sh - top),
        y1 = Math.min(h, i * sh - top + fh);
      for (let j = 0; j < ow; j++) {
        const x0 = Math.max(0, j * sw - left),
          x1 = Math.min(w, j * sw - left + fw);
        const go = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let y = y0; y < y1; y++)
            for (let xx = x0; xx < x1; xx++) {
              const k = ((b * h + y) * w + xx) * c + ch;
              const v = x[k]!;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          if (at >= 0) dx[at] += g[go + ch]!;
        }
      }
    }
  return out;
}

export const maxPoolGradConfig: tf.KernelConfig = { kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
