/**
 * Accuracy predictors for model-based strategies: ridge regression on the one-hot encoding of
 * the decisions (one feature per key and option, as the "adjacency one-hot" baseline of
 * White et al., "A Study on Encodings for Neural Architecture Search", NeurIPS 2020), alone or
 * as a bootstrap ensemble whose spread is the uncertainty (BANANAS, White et al., AAAI 2021,
 * uses an ensemble of neural networks; linear members keep it exact, fast and dependency-free).
 */
import type { Rng } from '../util/random.js';
import type { ArchitectureSpace } from './architecture-space.js';
import type { Arch } from './types.js';

/** Offsets of each key's one-hot block; features past the known keys are ignored. */
export class OneHot {
  readonly offsets: number[] = [];
  readonly size: number;

  constructor(space: ArchitectureSpace) {
    let n = 1; // feature 0 is the intercept
    for (const k of space.keys) {
      this.offsets.push(n);
      n += k.options;
    }
    this.size = n;
  }

  /** Indices of the active features of an architecture (the intercept included). */
  active(arch: Arch): number[] {
    const out = [0];
    for (let i = 0; i < this.offsets.length && i < arch.genes.length; i++) if (arch.genes[i]! >= 0) out.push(this.offsets[i]! + arch.genes[i]!);
    return out;
  }
}

export class RidgeModel {
  private weights: Float64Array;

  constructor(
    private readonly dim: number,
    private readonly lambda = 1,
  ) {
    this.weights = new Float64Array(dim);
  }

  /** Fits (X'X + lambda I) w = X'y on sparse binary rows; the intercept is not penalised. */
  fit(rows: readonly number[][], y: readonly number[]): void {
    const d = this.dim;
    const a = new Float64Array(d * d);
    const b = new Float64Array(d);
    const mean = y.reduce((s, v) => s + v, 0) / Math.max(1, y.length);
    rows.forEach((r, n) => {
      for (const i of r) {
        b[i]! += y[n]! - mean;
        for (const j of r) a[i * d + j]! += 1;
      }
    });
    for (let i = 1; i < d; i++) a[i * d + i]! += this.lambda;
    a[0]! += 1e-9;
    this.weights = solveSymmetric(a, b, d);
    this.weights[0]! += mean;
  }

  predict(active: readonly number[]): number {
    let s = 0;
    for (const i of active) s += this.weights[i]!;
    return s;
  }
}

/** Bootstrap ensemble: each member fits a resample (with replacement) of the data. */
export class RidgeEnsemble {
  private members: RidgeModel[] = [];

  constructor(
    private readonly dim: number,
    private readonly size: number,
  ) {}

  fit(rows: readonly number[][], y: readonly number[], rng: Rng): void {
    this.members = [];
    for (let m = 0; m < this.size; m++) {
      const idx = Array.from({ length: rows.length }, () => rng.int(rows.length));
      const model = new RidgeModel(this.dim);
      model.fit(
        idx.map((i) => rows[i]!),
        idx.map((i) => y[i]!),
      );
      this.members.push(model);
    }
  }

  /** Mean and standard deviation of the members' predictions. */
  predict(active: readonly number[]): { mean: number; std: number } {
    const ps = this.members.map((m) => m.predict(active));
    const mean = ps.reduce((s, v) => s + v, 0) / ps.length;
    const variance = ps.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, ps.length - 1);
    return { mean, std: Math.sqrt(variance) };
  }
}

/** Cholesky solve of a symmetric positive definite system (row-major a, size d). */
function solveSymmetric(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * d + j]!;
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * z[k]!;
    z[i] = s / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * x[k]!;
    x[i] = s / l[i * d + i]!;
  }
  return x;
}
