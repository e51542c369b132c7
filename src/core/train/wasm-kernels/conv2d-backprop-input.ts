/**
 * Conv2DBackpropInput for the wasm backend via XNNPACK's forward convolution.
 *
 * tfjs-backend-wasm ships this kernel as a scalar C++ loop; the input gradient of a
 * convolution is itself a convolution ("transposed convolution", Dumoulin & Visin 2016,
 * §4): dx = conv2d(dilate(dy, s), flip(w)ᵀ, stride 1, dilation d, pad = (kh−1)·d − pt on the
 * top/left and whatever makes the output H×W at the bottom/right), where dilate inserts
 * s−1 zeros between pixels and flip(w)ᵀ[p,q,o,c] = w[kh−1−p, kw−1−q, c, o]. Shapes outside
 * that form (padding larger than the kernel extent) go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type KernelArgs, type WasmBackend, dilateNhwc, f32, free, runKernel } from './kernel-utils';

/** flip(w)ᵀ for a dense filter [kh, kw, ci, co] → [kh, kw, co, ci]. */
export function flipTransposeFilter(backend: WasmBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = f32(backend, filter), dst = f32(backend, out);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const so = ((kh - 1 - p) * kw + (kw - 1 - q)) * ci * co, dOff = (p * kw + q) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dst[dOff + o * ci + c] = src[so + c * co + o];
    }
  }
  return out;
}

/** Input gradient of a dense NHWC convolution, or null when the shape needs the fallback. */
export function conv2dInputGrad(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo | null {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw,
    inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const pt = (kh - 1) * dh - info.padInfo.top, pl = (kw - 1) * dw - info.padInfo.left;
  const hd = (oh - 1) * sh + 1, wd = (ow - 1) * sw + 1;
  const pb = h - hd + info.padInfo.top, pr = w - wd + info.padInfo.left;
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) return null;
  const dyd = sh > 1 || sw > 1 ? dilateNhwc(backend, dy, sh, sw) : dy;
  const wf = flipTransposeFilter(backend, filter);
  const dx = runKernel(backend, 'Conv2D', { x: dyd, filter: wf }, {
    strides: [1, 1], dilations: [dh, dw], pad: [[0, 0], [pt, pb], [pl, pr], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined,
  });
  free(backend, wf);
  if (dyd !== dy) free(backend, dyd);
  return dx;
}

/** Builds the replacement config; `fallback` is tfjs-backend-wasm's own kernel. */
export function makeConv2dBackpropInputConfig(fallback: tf.KernelFunc | undefined): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackend;
    const { dy, filter } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (a.dataFormat !== 'NCHW') {
      const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode);
      const out = conv2dInputGrad(backend, dy, filter, info);
      if (out) return out;
    }
    if (!fallback) throw new Error('wasm Conv2DBackpropInput: unsupported configuration');
    return fallback(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
  return { kernelName: tf.Conv2DBackpropInput, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
