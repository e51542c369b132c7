/**
 * Dense NHWC convolution (HWIO filter, any stride, dilation and padding) as a generated wasm
 * SIMD kernel working in place on tfjs-backend-wasm's heap. It serves the stride-1 input
 * gradient (a convolution of dy with the flipped, transposed filter) and the forward pass.
 *
 *   y[n,i,j,o] = Σ_{p,q,c} x[n, i·sh + p·dh − pt, j·sw + q·dw − pl, c] · w[p,q,c,o]
 *
 * The micro-kernel keeps a block of PB = 4 consecutive output pixels of one row × 4·OV output
 * channels in registers; per (tap, input channel) it loads OV filter vectors (w[p,q,c,·] is
 * contiguous in HWIO) and broadcasts PB input scalars, PB·OV multiply-adds. Padding is a
 * zero-padded copy of the input (one pass over it), so every output pixel
 * sees all taps; a row's last ow mod 4 pixels use the 1..3-pixel variant. One call covers
 * one image and one group of output channels.
 *
 * Modules are generated per shape (channels, filter size, stride, dilation, widths), with the
 * pixel and tap offsets as immediates. XNNPACK's convolution instead packs its filter on each call
 * whose filter tensor is new, which in training is every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type KernelArgs, type WasmBackend, f32 } from './kernel-utils';
import { FuncBuilder, I32, V128, buildModule, instantiate } from './wasm-emit';
import { heapMemory } from './simd-filter-grad';
import { winogradApplies, winogradConv2d } from './winograd-conv';

/** Pixels per block of the interior kernel. */
const PB = 4;

/** (in, w, out, rows, blocks) */
type RowsFn = (inp: number, w: number, out: number, rows: number, blocks: number) => void;

interface Spec {
  ci: number;
  co: number;
  kh: number;
  kw: number;
  /** bytes between horizontally adjacent output pixels' input windows (sw·ci·4) */
  pix: number;
  /** bytes between horizontally adjacent taps in the input (dw·ci·4) */
  qIn: number;
  /** bytes between vertically adjacent taps in the input (dh·W·ci·4) */
  pIn: number;
  /** bytes between the input windows of vertically adjacent output rows (sh·W·ci·4) */
  rowIn: number;
  /** bytes per output row (ow·co·4) */
  rowOut: number;
  ov: number;
}

/**
 * `rows` output rows of `blocks` blocks of pb pixels each, for 4·ov output channels (w and
 * out already offset to the first of them), over an input that needs no padding.
 */
function rowsKernel(s: Spec, pb: number): FuncBuilder {
  const f = new FuncBuilder(5);
  const [IN, W, OUT, NR, NB] = [0, 1, 2, 3, 4];
  const { ci, co, kh, kw, pix, qIn, pIn, rowIn, rowOut, ov } = s;
  const acc: number[][] = [];
  for (let k = 0; k < pb; k++) acc.push(Array.from({ length: ov }, () => f.local(V128)));
  const wv = Array.from({ length: ov }, () => f.local(V128));
  const sp = f.local(V128);
  const [inRow, outRow, nb, ipr, wpr, ip, wq, p, q, cl] = Array.from({ length: 10 }, () => f.local(I32));
  const channel = () => {
    for (let v = 0; v < ov; v++)
      f.get(wq)
        .v128Load(16 * v)
        .set(wv[v]);
    for (let k = 0; k < pb; k++) {
      f.get(ip)
        .load32Splat(k * pix)
        .set(sp);
      for (let v = 0; v < ov; v++) f.get(acc[k][v]).get(sp).get(wv[v]).f32x4Mul().f32x4Add().set(acc[k][v]);
    }
  };
  const bump = (local: number, bytes: number) => f.get(local).i32(bytes).add().set(local);
  f.get(IN).set(inRow).get(OUT).set(outRow);
  f.loop(); // output rows
  f.get(inRow).set(IN).get(outRow).set(OUT).get(NB).set(nb);
  f.loop(); // blocks of pb pixels
  for (const row of acc) for (const a of row) f.v128Zero().set(a);
  f.get(IN).set(ipr).get(W).set(wpr).i32(kh).set(p);
  f.loop(); // tap rows
  f.get(ipr).set(ip).get(wpr).set(wq).i32(kw).set(q);
  f.loop(); // tap columns
  // Input channels: a loop, not unrolled (unrolling 16 channels ran ~3x slower: the long
  // straight-line body makes V8 spill the accumulators).
  f.i32(ci).set(cl);
  f.loop();
  channel();
  bump(ip, 4);
  bump(wq, co * 4);
  f.decBrIf(cl, 0);
  f.end();
  bump(ip, qIn - ci * 4);
  f.decBrIf(q, 0);
  f.end();
  bump(ipr, pIn);
  bump(wpr, kw * ci * co * 4);
  f.decBrIf(p, 0);
  f.end();
  for (let k = 0; k < pb; k++)
    for (let v = 0; v < ov; v++)
      f.get(OUT)
        .get(acc[k][v])
        .v128Store(k * co * 4 + 16 * v);
  bump(IN, pb * pix);
  bump(OUT, pb * co * 4);
  f.decBrIf(nb, 0);
  f.end();
  bump(inRow, rowIn);
  bump(outRow, rowOut);
  f.decBrIf(NR, 0);
  f.end();
  return f;
}

interface Kernels {
  /** by[pb − 1] */
  by: RowsFn[];
  ov: number;
}
const modules = new WeakMap<object, Map<string, Kernels | null>>();

/** Kernels for this convolution over an input of width `inW` (padded if it needs padding). */
function kernelsFor(backend: WasmBackend, info: ConvInfo, inW: number): Kernels | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  let byShape = modules.get(backend);
  if (!byShape) modules.set(backend, (byShape = new Map()));
  const {
    inChannels: ci,
    outChannels: co,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    outWidth: ow,
  } = info;
  const key = [ci, co, kh, kw, sh, sw, dh, dw, inW, ow].join(',');
  let k = byShape.get(key);
  if (k === undefined) {
    const ov = co % 8 === 0 ? 2 : 1;
    const spec: Spec = { ci, co, kh, kw, pix: sw * ci * 4, qIn: dw * ci * 4, pIn: dh * inW * ci * 4, rowIn: sh * inW * ci * 4, rowOut: ow * co * 4, ov };
    const ex = instantiate(buildModule(Array.from({ length: PB }, (_, i) => ({ name: `pb${i + 1}`, fn: rowsKernel(spec, i + 1) }))), memory) as Record<
      string,
      RowsFn
    > | null;
    k = ex ? { by: Array.from({ length: PB }, (_, i) => ex[`pb${i + 1}`]), ov } : null;
    byShape.set(key, k);
  }
  return k;
}

/** Whether the SIMD convolution handles this convolution (dense, NHWC, output channels a multiple of 4). */
export function simdConvApplies(backend: WasmBackend, info: ConvInfo): boolean {
  return info.outChannels % 4 === 0 && info.dataFormat === 'channelsLast' && heapMemory(backend) !== null;
}

const offset = (backend: WasmBackend, t: tf.TensorInfo) => (backend as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);

/**
 * x zero-padded to exactly the rows and columns the convolution reads (top/left padding
 * added, bottom/right padded or cropped), or x itself when that is x.
 */
function padInput(backend: WasmBackend, x: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const hp = (oh - 1) * info.strideHeight + (kh - 1) * info.dilationHeight + 1;
  const wp = (ow - 1) * info.strideWidth + (kw - 1) * info.dilationWidth + 1;
  if (pt === 0 && pl === 0 && hp === h && wp === w) return x;
  const out = backend.makeOutput([n, hp, wp, c], 'float32');
  const src = f32(backend, x),
    dst = f32(backend, out);
  dst.fill(0);
  const r0 = Math.max(0, pt),
    r1 = Math.min(hp, h + pt);
  const c0 = Math.max(0, pl),
    c1 = Math.min(wp, w + pl);
  if (r1 <= r0 || c1 <= c0) return out;
  const len = (c1 - c0) * c;
  for (let b = 0; b < n; b++) {
    for (let r = r0; r < r1; r++) {
      const so = ((b * h + r - pt) * w + c0 - pl) * c;
      dst.set(src.subarray(so, so + len), ((b * hp + r) * wp + c0) * c);
    }
  }
  return out;
}

/** y = conv(x, filter) for `info`; call only where simdConvApplies. */
export function simdConv2d(backend: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const xp = padInput(backend, x, info);
  const [, hp, wp, ci] = xp.shape;
  const k = kernelsFor(backend, info, wp);
  if (!k) {
    if (xp !== x) backend.disposeData(xp.dataId);
    throw new Error('wasm SIMD convolution kernel unavailable');
  }
  const out = backend.makeOutput([n, oh, ow, co], 'float32');
  const xBase = offset(backend, xp),
    wBase = offset(backend, filter),
    oBase = offset(backend, out);
  const blocks = Math.floor(ow / PB),
    rest = ow - blocks * PB;
  const step = 4 * k.ov;
  for (let b = 0; b < n; b++) {
    const in0 = xBase + b * hp * wp * ci * 4,
      out0 = oBase + b * oh * ow * co * 4;
    for (let o = 0; o < co; o += step) {
      if (blocks > 0) k.by[PB - 1](in0, wBase + o * 4, out0 + o * 4, oh, blocks);
      if (rest > 0) k.by[rest - 1](in0 + blocks * PB * info.strideWidth * ci * 4, wBase + o * 4, out0 + (blocks * PB * co + o) * 4, oh, 1);
    }
  }
  if (xp !== x) backend.disposeData(xp.dataId);
  return out;
}

/**
 * Conv2D for the wasm backend: the SIMD kernel where it applies, tfjs-backend-wasm's own
 * (XNNPACK) kernel otherwise. The backprop kernels reach it too, through runKernel.
 */
export function makeConv2dConfig(original: tf.KernelConfig | undefined): tf.KernelConfig {
  const fallback = original?.kernelFunc;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackend;
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      tf.backend_util.convertConv2DDataFormat(a.dataFormat),
    );
    if (winogradApplies(backend, info)) return winogradConv2d(backend, x, filter, info);
    if (simdConvApplies(backend, info)) return simdConv2d(backend, x, filter, info);
    if (!fallback) throw new Error('wasm Conv2D: unsupported configuration');
    return fallback(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
  return { kernelName: tf.Conv2D, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc: original?.setupFunc };
}
