/**
 * Conv2DBackpropInput for the wasm backend via XNNPACK's forward convolution.
 *
 * tfjs-backend-wasm ships this kernel as a scalar C++ loop; the input gradient of a
 * convolution is itself a convolution ("transposed convolution", Dumoulin & Visin 2016,
 * §4): dx = conv2d(dilate(dy, s), flip(w)ᵀ, stride 1, dilation d, pad = (kh−1)·d − pt on the
 * top/left and whatever makes the output H×W at the bottom/right), where dilate inserts
 * s−1 zeros between pixels and flip(w)ᵀ[p,q,o,c] = w[kh−1−p, kw−1−q, c, o]. Shapes outside
 * that form (padding larger than the kernel extent) go to the original kernel.
 *
 * For stride s > 1 the zero-dilated form wastes s² of its multiplies on zeros. Instead the
 * output is split into its s×s phases (sub-pixel decomposition; Shi et al., "Real-time
 * single image and video super-resolution using an efficient sub-pixel convolutional
 * neural network", CVPR 2016): phase (a, b) of dx, the rows y ≡ a (mod s), only meets the
 * filter taps p ≡ a + pt (mod s), so it is a stride-1 convolution of dy with that
 * sub-filter. The s² small convolutions do exactly the work of the forward pass; the
 * phases are then interleaved into dx.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type KernelArgs, type WasmBackend, dilateNhwc, f32, free, runKernel } from './kernel-utils';

/** flip(w)ᵀ for a dense filter [kh, kw, ci, co] → [kh, kw, co, ci]. */
export function flipTransposeFilter(backend: WasmBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = f32(backend, filter),
    dst = f32(backend, out);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const so = ((kh - 1 - p) * kw + (kw - 1 - q)) * ci * co,
        dOff = (p * kw + q) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dst[dOff + o * ci + c] = src[so + c * co + o];
    }
  }
  return out;
}

/** Taps of a 1-D strided convolution that reach output phase `a`: first tap, count, and dy offset. */
function phaseTaps(a: number, s: number, k: number, pad: number): { p0: number; count: number; off: number } {
  const p0 = (((a + pad) % s) + s) % s;
  const count = p0 < k ? Math.ceil((k - p0) / s) : 0;
  return { p0, count, off: (a + pad - p0) / s };
}

/** Input gradient of a strided (dilation 1) convolution by sub-pixel phases. */
function conv2dInputGradPhases(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo | null {
  const {
    batchSize: n,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    inHeight: h,
    inWidth: w,
    inChannels: ci,
    outChannels: co,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const phases: { a: number; b: number; t: number; u: number; out: tf.TensorInfo | null }[] = [];
  for (let a = 0; a < sh; a++) {
    for (let b = 0; b < sw; b++) {
      const t = Math.ceil((h - a) / sh),
        u = Math.ceil((w - b) / sw);
      if (t <= 0 || u <= 0) continue;
      const ry = phaseTaps(a, sh, kh, pt),
        rx = phaseTaps(b, sw, kw, pl);
      if (ry.count === 0 || rx.count === 0) {
        phases.push({ a, b, t, u, out: null });
        continue;
      }
      // dx_phase[t'] = Σ_m dy[t' + off − m]·w[p0 + m·s]: a correlation with the reversed sub-filter.
      const padT = ry.count - 1 - ry.off,
        padL = rx.count - 1 - rx.off;
      const padB = t - oh - padT + ry.count - 1,
        padR = u - ow - padL + rx.count - 1;
      if (padT < 0 || padL < 0 || padB < 0 || padR < 0) {
        for (const ph of phases) if (ph.out) free(backend, ph.out);
        return null;
      }
      const sub = backend.makeOutput([ry.count, rx.count, co, ci], 'float32');
      const src = f32(backend, filter),
        dst = f32(backend, sub);
      for (let i = 0; i < ry.count; i++) {
        for (let j = 0; j < rx.count; j++) {
          const p = ry.p0 + (ry.count - 1 - i) * sh,
            q = rx.p0 + (rx.count - 1 - j) * sw;
          const so = (p * kw + q) * ci * co,
            dOff = (i * rx.count + j) * co * ci;
          for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dst[dOff + o * ci + c] = src[so + c * co + o];
        }
      }
      const out = runKernel(
        backend,
        'Conv2D',
        { x: dy, filter: sub },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [padT, padB],
            [padL, padR],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
        },
      );
      free(backend, sub);
      phases.push({ a, b, t, u, out });
    }
  }
  const dx = backend.makeOutput([n, h, w, ci], 'float32');
  const d = f32(backend, dx);
  if (phases.some((ph) => ph.out === null)) d.fill(0);
  for (const ph of phases) {
    if (!ph.out) continue;
    const src = f32(backend, ph.out);
    for (let bi = 0; bi < n; bi++) {
      for (let i = 0; i < ph.t; i++) {
        const rowSrc = (bi * ph.t + i) * ph.u * ci,
          rowDst = (bi * h + i * sh + ph.a) * w * ci;
        // Element loop, not subarray().set(): a typed-array view per pixel costs more than the copy.
        for (let j = 0; j < ph.u; j++) {
          const so = rowSrc + j * ci,
            dOff = rowDst + (j * sw + ph.b) * ci;
          for (let c = 0; c < ci; c++) d[dOff + c] = src[so + c];
        }
      }
    }
    free(backend, ph.out);
  }
  return dx;
}

/** Input gradient of a dense NHWC convolution, or null when the shape needs the fallback. */
export function conv2dInputGrad(backend: WasmBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo | null {
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    inHeight: h,
    inWidth: w,
    outHeight: oh,
    outWidth: ow,
  } = info;
  const pt = (kh - 1) * dh - info.padInfo.top,
    pl = (kw - 1) * dw - info.padInfo.left;
  const hd = (oh - 1) * sh + 1,
    wd = (ow - 1) * sw + 1;
  const pb = h - hd + info.padInfo.top,
    pr = w - wd + info.padInfo.left;
  if ((sh > 1 || sw > 1) && dh === 1 && dw === 1) {
    const out = conv2dInputGradPhases(backend, dy, filter, info);
    if (out) return out;
  }
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) return null;
  const dyd = sh > 1 || sw > 1 ? dilateNhwc(backend, dy, sh, sw) : dy;
  const wf = flipTransposeFilter(backend, filter);
  const dx = runKernel(
    backend,
    'Conv2D',
    { x: dyd, filter: wf },
    {
      strides: [1, 1],
      dilations: [dh, dw],
      pad: [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    },
  );
  free(backend, wf);
  if (dyd !== dy) free(backend, dyd);
  return dx;
}

/**
 * Builds the replacement config; `original` is tfjs-backend-wasm's own kernel, kept as the
 * fallback (its setup function binds the C++ entry point when the backend initializes).
 */
export function makeConv2dBackpropInputConfig(original: tf.KernelConfig | undefined): tf.KernelConfig {
  const fallback = original?.kernelFunc;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackend;
    const { dy, filter } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (a.dataFormat !== 'NCHW') {
      // Optional `dilations` attribute: see conv2d-backprop-filter.ts.
      const dilations = (args.attrs as { dilations?: number | [number, number] }).dilations ?? 1;
      const info = tf.backend_util.computeConv2DInfo(
        a.inputShape,
        filter.shape as [number, number, number, number],
        a.strides,
        dilations,
        a.pad,
        a.dimRoundingMode,
      );
      const out = conv2dInputGrad(backend, dy, filter, info);
      if (out) return out;
    }
    if (!fallback) throw new Error('wasm Conv2DBackpropInput: unsupported configuration');
    return fallback(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
  return { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc: original?.setupFunc };
}
