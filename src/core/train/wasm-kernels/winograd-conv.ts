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
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ConvInfo, type WasmBackend, cropNhwc, f32, free } from './kernel-utils';
import { FuncBuilder, I32, V128, buildModule, instantiate } from './wasm-emit';
import { heapMemory } from './simd-filter-grad';

/** Tiles per register block of the matrix products. */
const PB = 4;
/** Target bytes of one group's transformed input (or products): about L2-resident. */
const GROUP_BYTES = 64 * 1024;

interface Spec {
  ci: number;
  co: number;
  /** tiles per row */
  tw: number;
  /** tiles per group, rounded up to PB */
  tpad: number;
  /** bytes between positions in the transformed input / the products (padded by a cache line so the 16 streams do not alias) */
  uPos: number;
  mPos: number;
  /** padded input width (2·tw + 2) */
  wp: number;
  /** (padded) output width (2·tw) */
  owp: number;
  ov: number;
}

/** Rows of Bᵀ as (a, b, op): row = d_a op d_b. */
const BT: [number, number, '+' | '-'][] = [
  [0, 2, '-'],
  [1, 2, '+'],
  [2, 1, '-'],
  [1, 3, '-'],
];

/**
 * The loop nest the three tile transforms share: for `rows` tile rows (a local), for the tw
 * tiles of a row, for each vector of 4 channels, `body(px, tp)` with px at the tile's top-left
 * pixel of an NHWC image `width` pixels wide and tp at the tile's slot of a position-major
 * buffer. Between tiles px moves 2 pixels and tp one slot; between tile rows px moves 2 rows.
 */
function tileLoops(
  f: FuncBuilder,
  pixels: number,
  slots: number,
  rows: number,
  tw: number,
  channels: number,
  width: number,
  body: (px: number, tp: number) => void,
): void {
  const [pr, pt, px, st, tp, tx, c] = Array.from({ length: 7 }, () => f.local(I32));
  f.get(pixels).set(pr).get(slots).set(st);
  f.loop(); // tile rows
  f.get(pr).set(pt).i32(tw).set(tx);
  f.loop(); // tiles
  f.get(pt)
    .set(px)
    .get(st)
    .set(tp)
    .i32(channels / 4)
    .set(c);
  f.loop(); // channel vectors
  body(px, tp);
  f.get(px).i32(16).add().set(px);
  f.get(tp).i32(16).add().set(tp);
  f.decBrIf(c, 0);
  f.end();
  f.get(pt)
    .i32(2 * channels * 4)
    .add()
    .set(pt);
  f.get(st)
    .i32(channels * 4)
    .add()
    .set(st);
  f.decBrIf(tx, 0);
  f.end();
  f.get(pr)
    .i32(2 * width * channels * 4)
    .add()
    .set(pr);
  f.decBrIf(rows, 0);
  f.end();
}

/** inT(x, u, rows): Bᵀ d B for `rows` tile rows, stored position-major in u[16][tpad][ci]. */
function inputTransform(s: Spec): FuncBuilder {
  const f = new FuncBuilder(3);
  const [X, U, ROWS] = [0, 1, 2];
  const t = Array.from({ length: 4 }, () => f.local(V128));
  const { ci, wp, tw } = s;
  const op = (o: '+' | '-') => (o === '+' ? f.f32x4Add() : f.f32x4Sub());
  tileLoops(f, X, U, ROWS, tw, ci, wp, (xp, up) => {
    const ld = (r: number, j: number) => f.get(xp).v128Load((r * wp + j) * ci * 4);
    for (let i = 0; i < 4; i++) {
      const [a, b, o] = BT[i];
      for (let j = 0; j < 4; j++) {
        ld(a, j);
        ld(b, j);
        op(o).set(t[j]);
      }
      for (let j = 0; j < 4; j++) {
        const [a2, b2, o2] = BT[j];
        f.get(up).get(t[a2]).get(t[b2]);
        op(o2).v128Store((i * 4 + j) * s.uPos);
      }
    }
  });
  return f;
}

/**
 * The locals of both product kernels, allocated in one order (the generated code depends on
 * it): `rows` × `ov` vector accumulators, `ov` vectors of the right-hand operand, a splat,
 * and ten i32 counters and pointers; `bump` adds a constant to an i32 local.
 */
function productLocals(f: FuncBuilder, rows: number, ov: number) {
  const acc: number[][] = [];
  for (let k = 0; k < rows; k++) acc.push(Array.from({ length: ov }, () => f.local(V128)));
  const vec = Array.from({ length: ov }, () => f.local(V128));
  const sp = f.local(V128);
  const ints = Array.from({ length: 10 }, () => f.local(I32)) as [number, number, number, number, number, number, number, number, number, number];
  const bump = (l: number, n: number) => f.get(l).i32(n).add().set(l);
  return { acc, vec, sp, ints, bump };
}

/** gemm(u, w, m): m[p] = u[p]·w[p] for the 16 positions p (tpad × ci times ci × co). */
function products(s: Spec): FuncBuilder {
  const f = new FuncBuilder(3);
  const [U, W, M] = [0, 1, 2];
  const { ci, co, tpad, ov } = s;
  const { acc, vec: wv, sp, ints, bump } = productLocals(f, PB, ov);
  const [pos, og, wog, mog, blk, ub, mb, c, up, wq] = ints;
  f.i32(16).set(pos);
  f.loop(); // positions
  f.get(W)
    .set(wog)
    .get(M)
    .set(mog)
    .i32(co / (4 * ov))
    .set(og);
  f.loop(); // output channel groups
  f.get(U)
    .set(ub)
    .get(mog)
    .set(mb)
    .i32(tpad / PB)
    .set(blk);
  f.loop(); // blocks of PB tiles
  for (const row of acc) for (const a of row) f.v128Zero().set(a);
  f.get(ub).set(up).get(wog).set(wq).i32(ci).set(c);
  f.loop(); // input channels
  for (let v = 0; v < ov; v++)
    f.get(wq)
      .v128Load(16 * v)
      .set(wv[v]);
  for (let k = 0; k < PB; k++) {
    f.get(up)
      .load32Splat(k * ci * 4)
      .set(sp);
    for (let v = 0; v < ov; v++) f.get(acc[k][v]).get(sp).get(wv[v]).f32x4Mul().f32x4Add().set(acc[k][v]);
  }
  bump(up, 4);
  bump(wq, co * 4);
  f.decBrIf(c, 0);
  f.end();
  for (let k = 0; k < PB; k++)
    for (let v = 0; v < ov; v++)
      f.get(mb)
        .get(acc[k][v])
        .v128Store(k * co * 4 + 16 * v);
  bump(ub, PB * ci * 4);
  bump(mb, PB * co * 4);
  f.decBrIf(blk, 0);
  f.end();
  bump(wog, 16 * ov);
  bump(mog, 16 * ov);
  f.decBrIf(og, 0);
  f.end();
  bump(U, s.uPos);
  bump(W, ci * co * 4);
  bump(M, s.mPos);
  f.decBrIf(pos, 0);
  f.end();
  return f;
}

/** outT(m, out, rows): Aᵀ m A for `rows` tile rows into the NHWC output. */
function outputTransform(s: Spec): FuncBuilder {
  const f = new FuncBuilder(3);
  const [M, O, ROWS] = [0, 1, 2];
  const { co, owp, tw } = s;
  const r = Array.from({ length: 4 }, () => f.local(V128));
  tileLoops(f, O, M, ROWS, tw, co, owp, (op, mp) => {
    const ld = (i: number, j: number) => f.get(mp).v128Load((i * 4 + j) * s.mPos);
    for (let i = 0; i < 2; i++) {
      // r_j = row i of Aᵀ applied to column j of m
      for (let j = 0; j < 4; j++) {
        if (i === 0) {
          ld(0, j);
          ld(1, j);
          f.f32x4Add();
          ld(2, j);
          f.f32x4Add().set(r[j]);
        } else {
          ld(1, j);
          ld(2, j);
          f.f32x4Sub();
          ld(3, j);
          f.f32x4Sub().set(r[j]);
        }
      }
      f.get(op)
        .get(r[0])
        .get(r[1])
        .f32x4Add()
        .get(r[2])
        .f32x4Add()
        .v128Store(i * owp * co * 4);
      f.get(op)
        .get(r[1])
        .get(r[2])
        .f32x4Sub()
        .get(r[3])
        .f32x4Sub()
        .v128Store((i * owp + 1) * co * 4);
    }
  });
  return f;
}

/** Rows of A (4 × 2) as (a, b, op): row = y_a op y_b; op 'n' is −y_b, '0' is y_a alone. */
const AROWS: [number, number, '+' | '-' | 'n' | '0'][] = [
  [0, 0, '0'],
  [0, 1, '+'],
  [0, 1, '-'],
  [0, 1, 'n'],
];

/** dyT(dy, v, rows): A dy Aᵀ for `rows` tile rows of the (even-sized) output gradient into v[16][tpad][co]. */
function gradTransform(s: Spec): FuncBuilder {
  const f = new FuncBuilder(3);
  const [DY, V, ROWS] = [0, 1, 2];
  const { co, owp, tw } = s;
  const t = Array.from({ length: 2 }, () => f.local(V128));
  /** Pushes row `a` of A applied to (x0, x1), each pushed by `push`. */
  const comb = (row: (typeof AROWS)[number], push: (k: number) => void) => {
    const [a, b, o] = row;
    if (o === '0') push(a);
    else if (o === 'n') {
      f.v128Zero();
      push(b);
      f.f32x4Sub();
    } else {
      push(a);
      push(b);
      if (o === '+') f.f32x4Add();
      else f.f32x4Sub();
    }
  };
  tileLoops(f, DY, V, ROWS, tw, co, owp, (yp, vp) => {
    const ld = (r: number, j: number) => f.get(yp).v128Load((r * owp + j) * co * 4);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) {
        comb(AROWS[i], (r) => ld(r, j));
        f.set(t[j]);
      }
      for (let j = 0; j < 4; j++) {
        f.get(vp);
        comb(AROWS[j], (k) => f.get(t[k]));
        f.v128Store((i * 4 + j) * s.mPos);
      }
    }
  });
  return f;
}

/** fgemm(u, v, acc, tiles): acc[p] += u[p]ᵀ·v[p] over the first `tiles` tiles, for the 16 positions p (ci × co each). */
function filterProducts(s: Spec): FuncBuilder {
  const f = new FuncBuilder(4);
  const [U, V, ACC, K] = [0, 1, 2, 3];
  const { ci, co, ov } = s;
  const CB = 4;
  const { acc, vec: vv, sp, ints, bump } = productLocals(f, CB, ov);
  const [pos, cb, og, ub, ab, vb, t, up, vp, ap] = ints;
  f.i32(16).set(pos);
  f.loop(); // positions
  f.get(U)
    .set(ub)
    .get(ACC)
    .set(ab)
    .i32(ci / CB)
    .set(cb);
  f.loop(); // blocks of CB input channels
  f.get(V)
    .set(vb)
    .get(ab)
    .set(ap)
    .i32(co / (4 * ov))
    .set(og);
  f.loop(); // output channel groups
  for (let k = 0; k < CB; k++)
    for (let v = 0; v < ov; v++)
      f.get(ap)
        .v128Load(k * co * 4 + 16 * v)
        .set(acc[k][v]);
  f.get(ub).set(up).get(vb).set(vp).get(K).set(t);
  f.loop(); // tiles
  for (let v = 0; v < ov; v++)
    f.get(vp)
      .v128Load(16 * v)
      .set(vv[v]);
  for (let k = 0; k < CB; k++) {
    f.get(up)
      .load32Splat(k * 4)
      .set(sp);
    for (let v = 0; v < ov; v++) f.get(acc[k][v]).get(sp).get(vv[v]).f32x4Mul().f32x4Add().set(acc[k][v]);
  }
  bump(up, ci * 4);
  bump(vp, co * 4);
  f.decBrIf(t, 0);
  f.end();
  for (let k = 0; k < CB; k++)
    for (let v = 0; v < ov; v++)
      f.get(ap)
        .get(acc[k][v])
        .v128Store(k * co * 4 + 16 * v);
  bump(vb, 16 * ov);
  bump(ap, 16 * ov);
  f.decBrIf(og, 0);
  f.end();
  bump(ub, CB * 4);
  bump(ab, CB * co * 4);
  f.decBrIf(cb, 0);
  f.end();
  bump(U, s.uPos);
  bump(V, s.mPos);
  bump(ACC, ci * co * 4);
  f.decBrIf(pos, 0);
  f.end();
  return f;
}

type Fn3 = (a: number, b: number, c: number) => void;
interface Kernels {
  spec: Spec;
  /** tile rows per group */
  rb: number;
  inT: Fn3;
  gemm: Fn3;
  outT: Fn3;
  dyT: Fn3;
  fgemm: (u: number, v: number, acc: number, tiles: number) => void;
}
const modules = new WeakMap<object, Map<string, Kernels | null>>();

function kernelsFor(backend: WasmBackend, ci: number, co: number, tw: number, th: number): Kernels | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  let byShape = modules.get(backend);
  if (!byShape) modules.set(backend, (byShape = new Map()));
  const key = [ci, co, tw, th].join(',');
  let k = byShape.get(key);
  if (k === undefined) {
    const rowBytes = 16 * tw * Math.max(ci, co) * 4;
    const rb = Math.max(1, Math.min(th, Math.floor(GROUP_BYTES / rowBytes)));
    const tpad = Math.ceil((rb * tw) / PB) * PB;
    const spec: Spec = { ci, co, tw, tpad, uPos: tpad * ci * 4 + 64, mPos: tpad * co * 4 + 64, wp: 2 * tw + 2, owp: 2 * tw, ov: co % 8 === 0 ? 2 : 1 };
    const ex = instantiate(
      buildModule([
        { name: 'inT', fn: inputTransform(spec) },
        { name: 'gemm', fn: products(spec) },
        { name: 'outT', fn: outputTransform(spec) },
        { name: 'dyT', fn: gradTransform(spec) },
        { name: 'fgemm', fn: filterProducts(spec) },
      ]),
      memory,
    ) as Record<string, Fn3> | null;
    k = ex ? { spec, rb, inT: ex.inT, gemm: ex.gemm, outT: ex.outT, dyT: ex.dyT, fgemm: ex.fgemm as Kernels['fgemm'] } : null;
    byShape.set(key, k);
  }
  return k;
}

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
