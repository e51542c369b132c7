/**
 * Winograd F(2×2, 3×3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural
 * Networks", CVPR 2016) for stride-1, dilation-1 3×3 convolutions with input and output
 * channels multiples of 4, NHWC / HWIO, as generated wasm SIMD kernels on tfjs-wasm's heap.
 *
 * Each 2×2 block of output pixels (a tile) reads a 4×4 input window d; with
 *
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
 *   Aᵀ = [1 1 1 0; 0 1 −1 −1]
 *
 * the tile is Aᵀ [ Σ_c (G g_{c,o} Gᵀ) ⊙ (Bᵀ d_c B) ] A. So per tile: the input transform
 * Bᵀ d B (additions only, SIMD over input channels), then for each of the 16 positions a
 * (tiles × Cin)·(Cin × Cout) matrix product, then the output transform Aᵀ m A. The products
 * do 16 multiply-adds per tile where the direct convolution does 36 (2.25x fewer). The filter
 * transform G g Gᵀ runs once per call (in training the filter is new every step).
 *
 * Tiles are processed in groups of whole tile rows of one image, so the transformed input and
 * the products (16 × tiles × channels floats each) stay in cache; the products use the direct
 * kernel's register block: 4 tiles × 4·OV output channels, broadcasting the tiles' inputs.
 * Output sizes that are odd get a padded output that is cropped afterwards.
 *
 * The filter gradient is the same algorithm transposed: the forward pass is the trilinear
 * form Σ_k (A dy)_k (G g)_k (Bᵀ d)_k, so a tile's filter gradient is Gᵀ[(A dy Aᵀ) ⊙ (Bᵀ d B)]G;
 * the 16 products accumulate uᵀ·v over the tiles and Gᵀ·G is applied once at the end.
 *
 * This file holds the host side (which convolutions take the kernel, the filter transforms,
 * the buffers and the loop over tile-row groups); winograd-wasm.ts generates the kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type WasmBackend, cropNhwc, f32, free } from './kernel-utils';
import { heapMemory } from './simd-filter-grad';
import { kernelsFor } from './winograd-wasm';

/** Which 3×3 convolutions use Winograd ('auto': those where it measured faster than the direct kernel). */
let mode: 'auto' | 'always' | 'never' = 'auto';
/** For tests and benchmarks: force or forbid the Winograd path. */
export function setWinogradMode(m: 'auto' | 'always' | 'never'): void {
  mode = m;
}

/** Whether the Winograd kernel can compute this convolution. */
export function winogradSupports(backend: WasmBackend, info: ConvInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0 &&
    info.dataFormat === 'channelsLast' &&
    heapMemory(backend) !== null
  );
}

/**
 * Whether Conv2D takes the Winograd kernel for this convolution. 'auto' takes it for outputs of
 * at least 8×8 pixels: there it measured 1.2–2x faster than the direct kernel at every channel
 * count tried (4 to 64); smaller images were not measured.
 */
export function winogradApplies(backend: WasmBackend, info: ConvInfo): boolean {
  if (mode === 'never' || !winogradSupports(backend, info)) return false;
  return mode === 'always' || (info.outHeight >= 8 && info.outWidth >= 8);
}

/** Calls of the Winograd kernel so far (tests check that a path takes it). */
export const winogradStats = { calls: 0 };

const offset = (backend: WasmBackend, t: tf.TensorInfo) => (backend as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);

/** Row i of (G g) Gᵀ from row i of G g. */
function put(dst: Float32Array, n: number, e: number, i: number, x0: number, x1: number, x2: number): void {
  dst[i * 4 * n + e] = x0;
  dst[(i * 4 + 1) * n + e] = 0.5 * (x0 + x1 + x2);
  dst[(i * 4 + 2) * n + e] = 0.5 * (x0 - x1 + x2);
  dst[(i * 4 + 3) * n + e] = x2;
}

/** G g Gᵀ for every (c, o): [3, 3, ci, co] → [16, ci, co]. */
function transformFilter(src: Float32Array, dst: Float32Array, ci: number, co: number): void {
  const n = ci * co;
  for (let e = 0; e < n; e++) {
    const g00 = src[e],
      g01 = src[n + e],
      g02 = src[2 * n + e];
    const g10 = src[3 * n + e],
      g11 = src[4 * n + e],
      g12 = src[5 * n + e];
    const g20 = src[6 * n + e],
      g21 = src[7 * n + e],
      g22 = src[8 * n + e];
    // rows of G g (4 × 3)
    const a0 = g00,
      a1 = g01,
      a2 = g02;
    const b0 = 0.5 * (g00 + g10 + g20),
      b1 = 0.5 * (g01 + g11 + g21),
      b2 = 0.5 * (g02 + g12 + g22);
    const c0 = 0.5 * (g00 - g10 + g20),
      c1 = 0.5 * (g01 - g11 + g21),
      c2 = 0.5 * (g02 - g12 + g22);
    const d0 = g20,
      d1 = g21,
      d2 = g22;
    put(dst, n, e, 0, a0, a1, a2);
    put(dst, n, e, 1, b0, b1, b2);
    put(dst, n, e, 2, c0, c1, c2);
    put(dst, n, e, 3, d0, d1, d2);
  }
}

/** Copies NHWC `src` into the zero-filled larger `dst`, shifted down by pt rows and right by pl columns (cropped to dst). */
function padCopy(backend: WasmBackend, src: tf.TensorInfo, dst: tf.TensorInfo, pt: number, pl: number): void {
  const [n, h, w, c] = src.shape;
  const [, hp, wp] = dst.shape;
  const d = f32(backend, dst);
  d.fill(0);
  // One view of the whole heap, so the row copies allocate nothing.
  const heap = new Float32Array(d.buffer);
  const so0 = offset(backend, src) / 4,
    do0 = offset(backend, dst) / 4;
  const r0 = Math.max(0, pt),
    r1 = Math.min(hp, h + pt);
  const c0 = Math.max(0, pl),
    c1 = Math.min(wp, w + pl);
  if (r1 <= r0 || c1 <= c0) return;
  const len = (c1 - c0) * c;
  for (let b = 0; b < n; b++)
    for (let r = r0; r < r1; r++) {
      const so = so0 + ((b * h + r - pt) * w + c0 - pl) * c;
      heap.copyWithin(do0 + ((b * hp + r) * wp + c0) * c, so, so + len);
    }
}

/** y = conv(x, filter) by Winograd F(2×2, 3×3); call only where winogradSupports. */
export function winogradConv2d(backend: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const { batchSize: n, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const th = Math.ceil(oh / 2),
    tw = Math.ceil(ow / 2);
  const k = kernelsFor(backend, ci, co, tw, th);
  if (!k) throw new Error('wasm Winograd convolution kernel unavailable');
  winogradStats.calls++;
  const { wp, owp } = k.spec;
  const hp = 2 * th + 2;
  const even = oh === 2 * th && ow === 2 * tw;
  const xp = backend.makeOutput([n, hp, wp, ci], 'float32');
  const wt = backend.makeOutput([16, ci, co], 'float32');
  const u = backend.makeOutput([(16 * k.spec.uPos) / 4], 'float32');
  const m = backend.makeOutput([(16 * k.spec.mPos) / 4], 'float32');
  const out = backend.makeOutput([n, 2 * th, owp, co], 'float32');
  // Views only after the last allocation (growing the heap detaches them).
  {
    padCopy(backend, x, xp, pt, pl);
    transformFilter(f32(backend, filter), f32(backend, wt), ci, co);
  }
  const xBase = offset(backend, xp),
    wBase = offset(backend, wt),
    uBase = offset(backend, u),
    mBase = offset(backend, m),
    oBase = offset(backend, out);
  for (let b = 0; b < n; b++) {
    const xi = xBase + b * hp * wp * ci * 4,
      oi = oBase + b * 2 * th * owp * co * 4;
    for (let r = 0; r < th; r += k.rb) {
      const rows = Math.min(k.rb, th - r);
      k.inT(xi + 2 * r * wp * ci * 4, uBase, rows);
      k.gemm(uBase, wBase, mBase);
      k.outT(mBase, oi + 2 * r * owp * co * 4, rows);
    }
  }
  free(backend, xp, wt, u, m);
  if (even) return out;
  const y = cropNhwc(backend, out, oh, ow);
  free(backend, out);
  return y;
}

/** dW = Gᵀ M G per (c, o), M = Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ d B): [16, ci, co] → [3, 3, ci, co]. */
function untransformFilterGrad(src: Float32Array, dst: Float32Array, ci: number, co: number): void {
  const n = ci * co;
  const r = new Float64Array(12);
  for (let e = 0; e < n; e++) {
    // rows of Gᵀ M (3 × 4)
    for (let j = 0; j < 4; j++) {
      const m0 = src[j * n + e],
        m1 = src[(4 + j) * n + e],
        m2 = src[(8 + j) * n + e],
        m3 = src[(12 + j) * n + e];
      r[j] = m0 + 0.5 * (m1 + m2);
      r[4 + j] = 0.5 * (m1 - m2);
      r[8 + j] = 0.5 * (m1 + m2) + m3;
    }
    for (let p = 0; p < 3; p++) {
      const a0 = r[4 * p],
        a1 = r[4 * p + 1],
        a2 = r[4 * p + 2],
        a3 = r[4 * p + 3];
      dst[p * 3 * n + e] = a0 + 0.5 * (a1 + a2);
      dst[(p * 3 + 1) * n + e] = 0.5 * (a1 - a2);
      dst[(p * 3 + 2) * n + e] = 0.5 * (a1 + a2) + a3;
    }
  }
}

/** Filter gradient by Winograd F(2×2, 3×3) transposed (Lavin & Gray §5): call only where winogradSupports. */
export function winogradFilterGrad(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const { batchSize: n, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const th = Math.ceil(oh / 2),
    tw = Math.ceil(ow / 2);
  const k = kernelsFor(backend, ci, co, tw, th);
  if (!k) throw new Error('wasm Winograd convolution kernel unavailable');
  winogradStats.calls++;
  const { wp, owp } = k.spec;
  const hp = 2 * th + 2;
  const even = oh === 2 * th && ow === 2 * tw;
  const xp = backend.makeOutput([n, hp, wp, ci], 'float32');
  const dyp = even ? dy : backend.makeOutput([n, 2 * th, owp, co], 'float32');
  const u = backend.makeOutput([(16 * k.spec.uPos) / 4], 'float32');
  const v = backend.makeOutput([(16 * k.spec.mPos) / 4], 'float32');
  const acc = backend.makeOutput([16, ci, co], 'float32');
  const dw = backend.makeOutput([3, 3, ci, co], 'float32');
  padCopy(backend, x, xp, info.padInfo.top, info.padInfo.left);
  if (!even) padCopy(backend, dy, dyp, 0, 0);
  f32(backend, acc).fill(0);
  const xBase = offset(backend, xp),
    yBase = offset(backend, dyp),
    uBase = offset(backend, u),
    vBase = offset(backend, v),
    aBase = offset(backend, acc);
  for (let b = 0; b < n; b++) {
    const xi = xBase + b * hp * wp * ci * 4,
      yi = yBase + b * 2 * th * owp * co * 4;
    for (let r = 0; r < th; r += k.rb) {
      const rows = Math.min(k.rb, th - r);
      k.inT(xi + 2 * r * wp * ci * 4, uBase, rows);
      k.dyT(yi + 2 * r * owp * co * 4, vBase, rows);
      k.fgemm(uBase, vBase, aBase, rows * tw);
    }
  }
  untransformFilterGrad(f32(backend, acc), f32(backend, dw), ci, co);
  free(backend, xp, u, v, acc);
  if (dyp !== dy) free(backend, dyp);
  return dw;
}
