/**
 * Dense Conv2DBackpropFilter as a wasm SIMD kernel working in place on tfjs-backend-wasm's
 * heap (NHWC x and dy, HWIO dw): no transposes, no filter packing.
 *
 *   dw[p,q,c,o] = Σ_{n,i,j} x[n, i·sh + p·dh − pt, j·sw + q·dw − pl, c] · dy[n,i,j,o]
 *
 * For one image n and one tap (p,q), the sum runs over the output pixels (i,j) whose input
 * pixel lies inside the image — a rectangle [i0,i1)×[j0,j1) — so it is a small matrix
 * product dw[p,q] += X_pqᵀ·DY with X_pq a strided view of x and DY one of dy. The generated
 * micro-kernel computes one cb×(4·ov) block of it (cb input channels, ov vectors of four
 * output channels) with the block's accumulators in registers: per pixel it loads ov
 * vectors of dy and broadcasts cb scalars of x (v128.load32_splat), cb·ov multiply-adds.
 * The caller loops over images, taps and blocks, so each call streams over one image's
 * rows, which stay in cache across the blocks of a tap.
 *
 * Why not XNNPACK: its convolution packs the filter on every call, and in this product the
 * "filter" is dy or x (a new 1M-element tensor each step), after transposing both; the
 * packing and transposes cost more than the arithmetic (see docs/training-engine.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type WasmBackend, f32 } from './kernel-utils';
import { FuncBuilder, I32, V128, type WasmMemory, buildModule, instantiate, wasmApi } from './wasm-emit';

/** Output channels per micro-kernel call are 4·OV; input channels are 1..MAX_CB. */
const MAX_CB = 4;
const OVS = [1, 2] as const;
const BAND_BYTES = 32768;

type BlockFn = (
  x: number,
  dy: number,
  out: number,
  rows: number,
  cols: number,
  xRow: number,
  xCol: number,
  dyRow: number,
  dyCol: number,
  outRow: number,
) => void;

/** Generates the micro-kernel for cb input channels × 4·ov output channels. */
function blockKernel(cb: number, ov: number): FuncBuilder {
  const f = new FuncBuilder(10);
  const [X, DY, OUT, ROWS, COLS, XROW, XCOL, DYROW, DYCOL, OUTROW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const acc: number[][] = [];
  for (let k = 0; k < cb; k++) acc.push(Array.from({ length: ov }, () => f.local(V128)));
  const d = Array.from({ length: ov }, () => f.local(V128));
  const s = f.local(V128);
  const [j, xp, dp, orow] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  // Load the accumulators: row k of the block is out + k·outRow.
  f.get(OUT).set(orow);
  for (let k = 0; k < cb; k++) {
    for (let v = 0; v < ov; v++)
      f.get(orow)
        .v128Load(16 * v)
        .set(acc[k][v]);
    if (k + 1 < cb) f.addTo(orow, OUTROW);
  }
  f.loop(); // rows
  f.get(X).set(xp).get(DY).set(dp).get(COLS).set(j);
  f.loop(); // columns
  for (let v = 0; v < ov; v++)
    f.get(dp)
      .v128Load(16 * v)
      .set(d[v]);
  for (let k = 0; k < cb; k++) {
    f.get(xp)
      .load32Splat(4 * k)
      .set(s);
    for (let v = 0; v < ov; v++) f.get(acc[k][v]).get(s).get(d[v]).f32x4Mul().f32x4Add().set(acc[k][v]);
  }
  f.addTo(xp, XCOL).addTo(dp, DYCOL).decBrIf(j, 0);
  f.end();
  f.addTo(X, XROW).addTo(DY, DYROW).decBrIf(ROWS, 0);
  f.end();
  f.get(OUT).set(orow);
  for (let k = 0; k < cb; k++) {
    for (let v = 0; v < ov; v++)
      f.get(orow)
        .get(acc[k][v])
        .v128Store(16 * v);
    if (k + 1 < cb) f.addTo(orow, OUTROW);
  }
  return f;
}

interface Kernels {
  /** blocks[ov − 1][cb − 1] */
  blocks: BlockFn[][];
}

const instances = new WeakMap<object, Kernels | null>();

/** tfjs-backend-wasm's Emscripten module keeps its memory at `asm.memory`. */
export function heapMemory(backend: WasmBackend): WasmMemory | null {
  const mem = (backend as unknown as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  if (!wasmApi || !(mem instanceof wasmApi.Memory)) return null;
  // A shared memory (threaded build) would need a shared import with a maximum.
  if (typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer) return null;
  return mem;
}

/** Builds (once per backend) the kernel module bound to the backend's heap, or null if SIMD or the heap is unavailable. */
function kernelsFor(backend: WasmBackend): Kernels | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let k: Kernels | null = null;
  const memory = heapMemory(backend);
  if (memory) {
    const funcs: { name: string; fn: FuncBuilder }[] = [];
    for (const ov of OVS) for (let cb = 1; cb <= MAX_CB; cb++) funcs.push({ name: `fg${cb}x${ov}`, fn: blockKernel(cb, ov) });
    const ex = instantiate(buildModule(funcs), memory) as Record<string, BlockFn> | null;
    if (ex) k = { blocks: OVS.map((ov) => Array.from({ length: MAX_CB }, (_, i) => ex[`fg${i + 1}x${ov}`])) };
  }
  instances.set(backend, k);
  return k;
}

/** Whether the SIMD kernel handles this convolution (dense, NHWC, output channels a multiple of 4). */
export function simdFilterGradApplies(backend: WasmBackend, info: ConvInfo): boolean {
  return info.outChannels % 4 === 0 && info.dataFormat === 'channelsLast' && kernelsFor(backend) !== null;
}

/** First and one-past-last output index whose input index o·s + t·d − pad lies in [0, size). */
function validRange(t: number, d: number, s: number, pad: number, size: number, outSize: number): [number, number] {
  const off = t * d - pad;
  const lo = Math.max(0, Math.ceil(-off / s));
  const hi = Math.min(outSize, Math.floor((size - 1 - off) / s) + 1);
  return [lo, hi];
}

/** dw [kh, kw, ci, co] for a dense NHWC convolution; call only where simdFilterGradApplies. */
export function simdFilterGrad(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const k = kernelsFor(backend);
  if (!k) throw new Error('wasm SIMD filter-gradient kernel unavailable');
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: ci,
    outHeight: oh,
    outWidth: ow,
    outChannels: co,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dwl,
  } = info;
  const pt = info.padInfo.top,
    pl = info.padInfo.left;
  const out = backend.makeOutput([kh, kw, ci, co], 'float32');
  f32(backend, out).fill(0);
  const offset = (t: tf.TensorInfo) => (backend as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);
  const xBase = offset(x),
    dyBase = offset(dy),
    outBase = offset(out);
  const xCol = sw * ci * 4,
    xRow = sh * w * ci * 4,
    dyCol = co * 4,
    dyRow = ow * co * 4,
    outRow = co * 4;
  const ov = co % 8 === 0 ? 2 : 1;
  const blocks = k.blocks[ov - 1];
  // Rows per call: a band of x and dy rows small enough (~32 KiB) to stay in L1 across the
  // blocks of a tap (whole 32x32x16 images measured 10.6 ms, 32 KiB bands 6.6 ms).
  const band = Math.max(1, Math.floor(BAND_BYTES / (ow * (sw * ci + co) * 4)));
  for (let p = 0; p < kh; p++) {
    const [i0, i1] = validRange(p, dh, sh, pt, h, oh);
    if (i1 <= i0) continue;
    for (let q = 0; q < kw; q++) {
      const [j0, j1] = validRange(q, dwl, sw, pl, w, ow);
      if (j1 <= j0) continue;
      const tapOut = outBase + (p * kw + q) * ci * co * 4;
      for (let b = 0; b < n; b++) {
        for (let r0 = i0; r0 < i1; r0 += band) {
          const rows = Math.min(band, i1 - r0);
          const x0 = xBase + ((b * h + r0 * sh + p * dh - pt) * w + j0 * sw + q * dwl - pl) * ci * 4;
          const d0 = dyBase + ((b * oh + r0) * ow + j0) * co * 4;
          for (let c = 0; c < ci; c += MAX_CB) {
            const cb = Math.min(MAX_CB, ci - c);
            const fn = blocks[cb - 1];
            for (let o = 0; o < co; o += 4 * ov) fn(x0 + c * 4, d0 + o * 4, tapOut + (c * co + o) * 4, rows, j1 - j0, xRow, xCol, dyRow, dyCol, outRow);
          }
        }
      }
    }
  }
  return out;
}
