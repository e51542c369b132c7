/**
 * The WebAssembly SIMD kernels of the Winograd F(2×2, 3×3) convolution and filter gradient
 * (winograd-conv.ts has the algorithm and calls them), generated per input/output channel
 * count and tile grid and cached per backend: the input transform Bᵀ d B, the 16 position-wise
 * matrix products, the output transform Aᵀ m A, and for the filter gradient the transform
 * A dy Aᵀ and the products accumulated over tiles.
 */
import { type WasmBackend } from './kernel-utils';
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
export interface Kernels {
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

export function kernelsFor(backend: WasmBackend, ci: number, co: number, tw: number, th: number): Kernels | null {
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
