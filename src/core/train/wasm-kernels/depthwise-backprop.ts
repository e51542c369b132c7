/**
 * DepthwiseConv2dNativeBackpropInput / -BackpropFilter for the wasm backend.
 *
 * Forward (channel multiplier m, filter [kh, kw, C, m]):
 *   y[n,i,j,c·m+k] = Σ_{p,q} x[n, i·s + p·d − pt, j·s + q·d − pl, c] · w[p,q,c,k].
 * Input gradient: for m = 1 it is again a depthwise convolution — of the zero-dilated
 * output gradient with the spatially flipped filter, stride 1, dilation d (the transposed
 * convolution of Dumoulin & Visin 2016, §4.5) — and runs on XNNPACK; other multipliers use
 * the direct scatter loop below. Filter gradient: each of the kh·kw taps is a per-channel
 * dot product of a shifted input window with dy over (n, i, j); it has no convolution
 * form XNNPACK can run (it would need a grouped convolution with N inputs per group), so
 * it is a tight loop over the NHWC heap with channels innermost, accumulating in float64.
 * (Building it from tfjs-wasm's Slice/StridedSlice + Multiply + AvgPool was tried: its
 * Slice kernel copies element by element, 42 ms for a 64x16x16x144 window, so nine taps
 * cost 20x the loop.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type KernelArgs, type WasmBackend, dilateNhwc, f32, free, runKernel } from './kernel-utils';

function depthwiseInfo(
  xShape: number[],
  filterShape: number[],
  a: { strides: number | [number, number]; dilations?: number | [number, number]; pad: unknown; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad as 'same',
    a.dimRoundingMode,
    true,
  );
}

/** Direct scatter form of the input gradient; any multiplier, stride, dilation, padding. */
function depthwiseInputGradLoop(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const m = filter.shape[3];
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const out = backend.makeOutput([n, h, w, c], 'float32');
  const g = f32(backend, dy),
    wt = f32(backend, filter),
    dx = f32(backend, out);
  dx.fill(0);
  const cm = c * m;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const go = ((b * oh + i) * ow + j) * cm;
        for (let p = 0; p < kh; p++) {
          const y = i * sh + p * dh - pt;
          if (y < 0 || y >= h) continue;
          for (let q = 0; q < kw; q++) {
            const x = j * sw + q * dw - pl;
            if (x < 0 || x >= w) continue;
            const xo = ((b * h + y) * w + x) * c,
              wo = (p * kw + q) * cm;
            if (m === 1) {
              for (let ch = 0; ch < c; ch++) dx[xo + ch] += g[go + ch] * wt[wo + ch];
            } else {
              for (let ch = 0; ch < c; ch++) {
                let s = 0;
                for (let k = 0; k < m; k++) s += g[go + ch * m + k] * wt[wo + ch * m + k];
                dx[xo + ch] += s;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** Input gradient through XNNPACK (m = 1): depthwise conv of dilate(dy) with the flipped filter. */
function depthwiseInputGradConv(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo | null {
  const {
    inHeight: h,
    inWidth: w,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    inChannels: c,
  } = info;
  const pt = (kh - 1) * dh - info.padInfo.top,
    pl = (kw - 1) * dw - info.padInfo.left;
  const hd = (oh - 1) * sh + 1,
    wd = (ow - 1) * sw + 1;
  const pb = h - hd + info.padInfo.top,
    pr = w - wd + info.padInfo.left;
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) return null;
  const flipped = backend.makeOutput([kh, kw, c, 1], 'float32');
  const src = f32(backend, filter),
    dst = f32(backend, flipped);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const so = ((kh - 1 - p) * kw + (kw - 1 - q)) * c;
      dst.set(src.subarray(so, so + c), (p * kw + q) * c);
    }
  }
  const dyd = sh > 1 || sw > 1 ? dilateNhwc(backend, dy, sh, sw) : dy;
  const dx = runKernel(
    backend,
    'DepthwiseConv2dNative',
    { x: dyd, filter: flipped },
    {
      strides: [1, 1],
      dilations: [dh, dw],
      pad: [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
      dimRoundingMode: undefined,
    },
  );
  free(backend, flipped);
  if (dyd !== dy) free(backend, dyd);
  return dx;
}

export function depthwiseInputGrad(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  if (filter.shape[3] === 1) {
    const out = depthwiseInputGradConv(backend, dy, filter, info);
    if (out) return out;
  }
  return depthwiseInputGradLoop(backend, dy, filter, info);
}

export function depthwiseFilterGrad(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: number[], info: ConvInfo): tf.TensorInfo {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const m = filterShape[3];
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const cm = c * m;
  const acc = new Float64Array(kh * kw * cm);
  const out = backend.makeOutput(filterShape, 'float32');
  const xv = f32(backend, x),
    g = f32(backend, dy);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const ao = (p * kw + q) * cm;
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < oh; i++) {
          const y = i * sh + p * dh - pt;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < ow; j++) {
            const xx = j * sw + q * dw - pl;
            if (xx < 0 || xx >= w) continue;
            const xo = ((b * h + y) * w + xx) * c,
              go = ((b * oh + i) * ow + j) * cm;
            if (m === 1) {
              for (let ch = 0; ch < c; ch++) acc[ao + ch] += xv[xo + ch] * g[go + ch];
            } else {
              for (let ch = 0; ch < c; ch++) {
                const xvc = xv[xo + ch];
                for (let k = 0; k < m; k++) acc[ao + ch * m + k] += xvc * g[go + ch * m + k];
              }
            }
          }
        }
      }
    }
  }
  f32(backend, out).set(acc);
  return out;
}

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { dy, filter } = args.inputs;
    const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const info = depthwiseInfo(a.inputShape, filter.shape, a);
    return depthwiseInputGrad(args.backend as WasmBackend, dy, filter, info);
  }) as unknown as tf.KernelFunc,
};

export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { x, dy } = args.inputs;
    const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = depthwiseInfo(x.shape, a.filterShape, a);
    return depthwiseFilterGrad(args.backend as WasmBackend, x, dy, a.filterShape, info);
  }) as unknown as tf.KernelFunc,
};
