/**
 * Training-mode batch norm and the ReLU gradient as generated wasm SIMD kernels working in
 * place on tfjs-backend-wasm's heap (NHWC, channels a multiple of 4).
 *
 *   NasBatchNormTrain     (x, γ, β[, running mean, running var]; eps[, momentum])
 *                         → y, mean, variance (biased), σ⁻¹[, new running mean, new running var]
 *   NasBatchNormTrainGrad (dy, x, γ, mean, σ⁻¹)        → dx, dγ, dβ
 *   NasReluGrad           (dy, x)                      → dy where x > 0, else 0
 *
 * Each batch-norm direction is two passes over the activation: one for the per-channel
 * sums (Σx and Σx² forward, Σdy and Σdy·x backward; f32 vector accumulators per image,
 * merged in float64), one for the per-channel affine map (y = x·a + c forward,
 * dx = a·dy + b·x + c backward, the closed form of Ioffe & Szegedy 2015, see
 * batch-norm.ts). The per-channel arithmetic on [C] vectors runs in JS inside the kernel,
 * so a batch norm is one engine call each way instead of ~25 (pooling, means, squares,
 * small multiplies, two depthwise convolutions and an add).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackend, f32, runKernel } from './kernel-utils';
import { FuncBuilder, I32, V128, buildModule, instantiate } from './wasm-emit';
import { heapMemory } from './simd-filter-grad';

export const BN_TRAIN = 'NasBatchNormTrain';
export const BN_TRAIN_GRAD = 'NasBatchNormTrainGrad';
export const RELU_GRAD = 'NasReluGrad';

/** Vectors (of 4 channels) per call of the sums kernel. */
const SV = 2;

/** Rows summed in float32 before the partial sums are added to the float64 totals. */
const BLOCK_ROWS = 16;

/**
 * (a, b, out, blocks, rowBytes, k, blockRows): adds Σ a and Σ a·(b − k) over blocks·blockRows
 * rows to the float64 totals at out (the same-operand form: Σ (a − k) and Σ (a − k)²), SV
 * vectors of 4 channels each. k is a per-channel shift: sums of x − k for a k near the mean
 * keep E[x²] − E[x]² from cancelling when |mean| ≫ σ (the shifted-data algorithm; Chan,
 * Golub & LeVeque, "Algorithms for Computing the Sample Variance", The American
 * Statistician, 1983): unshifted, a channel with mean 10 and σ 0.1 lost 0.5 % of its
 * variance. Partial sums of BLOCK_ROWS rows are added to float64 totals, as PyTorch's CPU
 * batch norm accumulates in double: the gradients of a batch norm's input often nearly
 * cancel (a following batch norm ignores a constant shift), and float32 totals over 256
 * rows had made them ten times less accurate than PyTorch's.
 *
 * out layout: Σ a as SV·4 doubles, then the second sum as SV·4 doubles.
 */
type SumsFn = (a: number, b: number, out: number, blocks: number, rowBytes: number, k: number, blockRows: number) => void;
/** (x, params, out, rows): per row, out = x·params[v] + params[V+v] for the row's V vectors. */
type Affine1Fn = (x: number, p: number, out: number, rows: number) => void;
/** (a, b, params, out, rows): out = a·p0 + b·p1 + p2. */
type Affine2Fn = (a: number, b: number, p: number, out: number, rows: number) => void;
/** (dy, x, out, vectors) */
type ReluGradFn = (dy: number, x: number, out: number, n: number) => void;

function sumsKernel(same: boolean): FuncBuilder {
  const f = new FuncBuilder(7);
  const [A, B, OUT, BLOCKS, RB, K, BLK] = [0, 1, 2, 3, 4, 5, 6];
  const s1 = Array.from({ length: SV }, () => f.local(V128));
  const s2 = Array.from({ length: SV }, () => f.local(V128));
  const av = Array.from({ length: SV }, () => f.local(V128));
  const kv = Array.from({ length: SV }, () => f.local(V128));
  // float64 totals: per vector, lanes 0-1 and lanes 2-3, for each sum
  const t = Array.from({ length: 4 * SV }, () => f.local(V128));
  const i = f.local(I32);
  for (let j = 0; j < 4 * SV; j++)
    f.get(OUT)
      .v128Load(16 * j)
      .set(t[j]);
  for (let v = 0; v < SV; v++)
    f.get(K)
      .v128Load(16 * v)
      .set(kv[v]);
  f.loop();
  for (const a of [...s1, ...s2]) f.v128Zero().set(a);
  f.get(BLK).set(i);
  f.loop();
  for (let v = 0; v < SV; v++) {
    f.get(A).v128Load(16 * v);
    if (same) f.get(kv[v]).f32x4Sub();
    f.set(av[v]);
    f.get(s1[v]).get(av[v]).f32x4Add().set(s1[v]);
    f.get(s2[v]).get(av[v]);
    if (same) f.get(av[v]);
    else
      f.get(B)
        .v128Load(16 * v)
        .get(kv[v])
        .f32x4Sub();
    f.f32x4Mul().f32x4Add().set(s2[v]);
  }
  f.addTo(A, RB);
  if (!same) f.addTo(B, RB);
  f.decBrIf(i, 0);
  f.end();
  const sums = [...s1, ...s2];
  for (let j = 0; j < 2 * SV; j++) {
    f.get(t[2 * j])
      .get(sums[j])
      .f64x2PromoteLow()
      .f64x2Add()
      .set(t[2 * j]);
    f.get(t[2 * j + 1])
      .get(sums[j])
      .get(sums[j])
      .f32x4HighToLow()
      .f64x2PromoteLow()
      .f64x2Add()
      .set(t[2 * j + 1]);
  }
  f.decBrIf(BLOCKS, 0);
  f.end();
  for (let j = 0; j < 4 * SV; j++)
    f.get(OUT)
      .get(t[j])
      .v128Store(16 * j);
  return f;
}

function affine1Kernel(vecs: number): FuncBuilder {
  const f = new FuncBuilder(4);
  const [X, P, OUT, ROWS] = [0, 1, 2, 3];
  f.loop();
  for (let v = 0; v < vecs; v++)
    f.get(OUT)
      .get(X)
      .v128Load(16 * v)
      .get(P)
      .v128Load(16 * v)
      .f32x4Mul()
      .get(P)
      .v128Load(16 * (vecs + v))
      .f32x4Add()
      .v128Store(16 * v);
  f.get(X)
    .i32(16 * vecs)
    .add()
    .set(X);
  f.get(OUT)
    .i32(16 * vecs)
    .add()
    .set(OUT);
  f.decBrIf(ROWS, 0);
  f.end();
  return f;
}

function affine2Kernel(vecs: number): FuncBuilder {
  const f = new FuncBuilder(5);
  const [A, B, P, OUT, ROWS] = [0, 1, 2, 3, 4];
  f.loop();
  for (let v = 0; v < vecs; v++)
    f.get(OUT)
      .get(A)
      .v128Load(16 * v)
      .get(P)
      .v128Load(16 * v)
      .f32x4Mul()
      .get(B)
      .v128Load(16 * v)
      .get(P)
      .v128Load(16 * (vecs + v))
      .f32x4Mul()
      .f32x4Add()
      .get(P)
      .v128Load(16 * (2 * vecs + v))
      .f32x4Add()
      .v128Store(16 * v);
  for (const r of [A, B, OUT])
    f.get(r)
      .i32(16 * vecs)
      .add()
      .set(r);
  f.decBrIf(ROWS, 0);
  f.end();
  return f;
}

function reluGradKernel(): FuncBuilder {
  const f = new FuncBuilder(4);
  const [DY, X, OUT, N] = [0, 1, 2, 3];
  f.loop();
  f.get(OUT).get(DY).v128Load(0).get(X).v128Load(0).v128Zero().f32x4Gt().v128And().v128Store(0);
  for (const r of [DY, X, OUT]) f.get(r).i32(16).add().set(r);
  f.decBrIf(N, 0);
  f.end();
  return f;
}

interface Kernels {
  sums: SumsFn;
  sumsSame: SumsFn;
  relu: ReluGradFn;
  /** by channel count */
  affine: Map<number, { a1: Affine1Fn; a2: Affine2Fn }>;
}
const instances = new WeakMap<object, Kernels | null>();

function kernelsFor(backend: WasmBackend, c: number): Kernels | null {
  let k = instances.get(backend);
  if (k === undefined) {
    const memory = heapMemory(backend);
    const ex = memory
      ? (instantiate(
          buildModule([
            { name: 'sums', fn: sumsKernel(false) },
            { name: 'sumsSame', fn: sumsKernel(true) },
            { name: 'relu', fn: reluGradKernel() },
          ]),
          memory,
        ) as Record<string, SumsFn & ReluGradFn> | null)
      : null;
    k = ex ? { sums: ex.sums, sumsSame: ex.sumsSame, relu: ex.relu, affine: new Map() } : null;
    instances.set(backend, k);
  }
  if (k && c > 0 && !k.affine.has(c)) {
    const ex = instantiate(
      buildModule([
        { name: 'a1', fn: affine1Kernel(c / 4) },
        { name: 'a2', fn: affine2Kernel(c / 4) },
      ]),
      heapMemory(backend)!,
    ) as Record<string, Affine1Fn & Affine2Fn> | null;
    if (!ex) return null;
    k.affine.set(c, { a1: ex.a1, a2: ex.a2 });
  }
  return k;
}

/** Switch for comparisons (tests, profiling): false sends batchNormTrain to its composite form. */
export const simdBatchNormOptions = { enabled: true };

/** Whether the SIMD batch-norm kernels serve an NHWC float32 tensor of this shape on this backend. */
export function simdBatchNormApplies(backend: tf.KernelBackend, shape: number[]): boolean {
  return simdBatchNormOptions.enabled && shape.length === 4 && shape[3] % (4 * SV) === 0 && kernelsFor(backend as WasmBackend, shape[3]) !== null;
}

const offset = (backend: WasmBackend, t: tf.TensorInfo) => (backend as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);

/**
 * Per-channel sums (float64) over the N·H·W rows of NHWC a and b, shifted by x's first pixel
 * (x = b, or a when b is null; see SumsFn): [Σ(a − k), Σ(a − k)²] or [Σa, Σa·(b − k)].
 */
function channelSums(backend: WasmBackend, k: Kernels, a: tf.TensorInfo, b: tf.TensorInfo | null): [Float64Array, Float64Array] {
  const [n, h, w, c] = a.shape;
  const rows = h * w,
    groups = c / (4 * SV);
  // float64 totals, 2 sums x 4·SV channels per group (as float32 pairs: tfjs allocates float32).
  const scratch = backend.makeOutput([groups, 2, 2 * 4 * SV], 'float32');
  const aBase = offset(backend, a),
    bBase = b ? offset(backend, b) : 0,
    sBase = offset(backend, scratch),
    kBase = b ? bBase : aBase;
  if (sBase % 8 !== 0) throw new Error('batch norm: unaligned scratch');
  new Float64Array(f32(backend, scratch).buffer, sBase, groups * 2 * 4 * SV).fill(0);
  const full = Math.floor(rows / BLOCK_ROWS),
    rest = rows - full * BLOCK_ROWS;
  const fn = b ? k.sums : k.sumsSame;
  for (let img = 0; img < n; img++) {
    const imgOff = img * rows * c * 4;
    for (let g = 0; g < groups; g++) {
      const out = sBase + g * 2 * 4 * SV * 8;
      const aAt = aBase + imgOff + g * 16 * SV,
        bAt = b ? bBase + imgOff + g * 16 * SV : 0,
        kAt = kBase + g * 16 * SV;
      if (full > 0) fn(aAt, bAt, out, full, c * 4, kAt, BLOCK_ROWS);
      if (rest > 0) fn(aAt + full * BLOCK_ROWS * c * 4, bAt && bAt + full * BLOCK_ROWS * c * 4, out, 1, c * 4, kAt, rest);
    }
  }
  const totals = new Float64Array(f32(backend, scratch).buffer, sBase, groups * 2 * 4 * SV);
  const s1 = new Float64Array(c),
    s2 = new Float64Array(c);
  for (let g = 0; g < groups; g++)
    for (let i = 0; i < 4 * SV; i++) {
      s1[g * 4 * SV + i] = totals[g * 8 * SV + i]!;
      s2[g * 4 * SV + i] = totals[g * 8 * SV + 4 * SV + i]!;
    }
  backend.disposeData(scratch.dataId);
  return [s1, s2];
}

function fromValues(backend: WasmBackend, values: ArrayLike<number>): tf.TensorInfo {
  const t = backend.makeOutput([values.length], 'float32');
  f32(backend, t).set(values);
  return t;
}

function bnTrain(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { x, gamma, beta, runningMean, runningVar } = args.inputs;
  const { eps, momentum } = args.attrs as { eps: number; momentum?: number };
  const [n, h, w, c] = x.shape;
  const m = n * h * w;
  const k = kernelsFor(backend, c)!;
  const [s1, s2] = channelSums(backend, k, x, null);
  const shift = f32(backend, x).slice(0, c);
  const g = f32(backend, gamma),
    bt = f32(backend, beta);
  const running = runningMean && runningVar && momentum !== undefined ? [f32(backend, runningMean), f32(backend, runningVar)] : null;
  const newRunning = running ? [new Float32Array(c), new Float32Array(c)] : [];
  const mean = new Float64Array(c),
    variance = new Float64Array(c),
    inv = new Float64Array(c),
    params = new Float32Array(2 * c);
  for (let i = 0; i < c; i++) {
    const d = s1[i] / m;
    mean[i] = shift[i] + d;
    variance[i] = Math.max(0, s2[i] / m - d * d);
    inv[i] = 1 / Math.sqrt(variance[i] + eps);
    params[i] = g[i] * inv[i];
    params[c + i] = bt[i] - mean[i] * params[i];
    if (running) {
      // PyTorch: running ← (1 − momentum)·running + momentum·batch, with the unbiased variance.
      newRunning[0][i] = (1 - momentum!) * running[0][i] + momentum! * mean[i];
      newRunning[1][i] = (1 - momentum!) * running[1][i] + (momentum! * variance[i] * m) / Math.max(1, m - 1);
    }
  }
  const p = fromValues(backend, params);
  const y = backend.makeOutput(x.shape, 'float32');
  k.affine.get(c)!.a1(offset(backend, x), offset(backend, p), offset(backend, y), m);
  backend.disposeData(p.dataId);
  return [y, fromValues(backend, mean), fromValues(backend, variance), fromValues(backend, inv), ...newRunning.map((r) => fromValues(backend, r))];
}

function bnTrainGrad(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { dy, x, gamma, mean, invStd } = args.inputs;
  const [n, h, w, c] = x.shape;
  const m = n * h * w;
  const k = kernelsFor(backend, c)!;
  // Σdy and Σdy·(x − k), k = x's first pixel
  const [sdy, sdyx] = channelSums(backend, k, dy, x);
  const shift = f32(backend, x).slice(0, c);
  const g = f32(backend, gamma),
    mu = f32(backend, mean),
    inv = f32(backend, invStd);
  const dgamma = new Float32Array(c),
    params = new Float32Array(3 * c);
  for (let i = 0; i < c; i++) {
    // dγ = Σ dy·(x − μ)·σ⁻¹,  dβ = Σ dy;  dx = a·dy + b·x + c with
    // a = γσ⁻¹, b = −a·σ⁻¹·dγ/M, c = −a·Σdy/M − b·μ
    const dg = (sdyx[i] - (mu[i] - shift[i]) * sdy[i]) * inv[i];
    dgamma[i] = dg;
    const a = g[i] * inv[i];
    const b = (-a * inv[i] * dg) / m;
    params[i] = a;
    params[c + i] = b;
    params[2 * c + i] = (-a * sdy[i]) / m - b * mu[i];
  }
  const p = fromValues(backend, params);
  const dx = backend.makeOutput(x.shape, 'float32');
  k.affine.get(c)!.a2(offset(backend, dy), offset(backend, x), offset(backend, p), offset(backend, dx), m);
  backend.disposeData(p.dataId);
  return [dx, fromValues(backend, dgamma), fromValues(backend, sdy)];
}

function reluGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { dy, x } = args.inputs;
  const size = x.shape.reduce((a, b) => a * b, 1);
  const k = size % 4 === 0 && x.dtype === 'float32' && dy.dtype === 'float32' ? kernelsFor(backend, 0) : null;
  if (!k) {
    const s = runKernel(backend, tf.Step, { x }, { alpha: 0 });
    const out = runKernel(backend, tf.Multiply, { a: dy, b: s });
    backend.disposeData(s.dataId);
    return out;
  }
  const out = backend.makeOutput(x.shape, 'float32');
  k.relu(offset(backend, dy), offset(backend, x), offset(backend, out), size / 4);
  return out;
}

export const bnTrainConfig: tf.KernelConfig = { kernelName: BN_TRAIN, backendName: 'wasm', kernelFunc: bnTrain as unknown as tf.KernelFunc };
export const bnTrainGradConfig: tf.KernelConfig = { kernelName: BN_TRAIN_GRAD, backendName: 'wasm', kernelFunc: bnTrainGrad as unknown as tf.KernelFunc };
export const reluGradConfig: tf.KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad as unknown as tf.KernelFunc };
