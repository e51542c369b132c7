/**
 * Layer building blocks with PyTorch semantics (parameter shapes, initialization, batch-norm
 * statistics), used by the reference networks and, later, by networks built from `.nas`
 * architectures. Layout is NHWC; convolution weights are [kh, kw, in, out] (tfjs' layout;
 * PyTorch stores [out, in, kh, kw]).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from './batch-norm';

/**
 * Where a model's variables come from when several models share them (a supernet's paths,
 * src/core/train/supernet): given a name and the tensor a fresh model would start from, the
 * shared variable of that name, made from `init` the first time. The registry neither keeps
 * nor disposes `init` afterwards, nor disposes the variable it is given.
 */
export type SharedVariables = (name: string, init: tf.Tensor, trainable: boolean) => tf.Variable;

/** Collects variables under stable, PyTorch-style dotted names. */
export class ParamRegistry {
  readonly trainable = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();
  /** Constant tensors a model keeps (not parameters): disposed with it. */
  private readonly constants: tf.Tensor[] = [];
  /** The variables this registry made (a shared variable belongs to its store). */
  private readonly owned: tf.Variable[] = [];
  private readonly uid = `m${nextModelId++}`;
  constructor(
    private readonly seed: number,
    private readonly shared?: SharedVariables,
  ) {}

  private seedFor(name: string): number {
    // Stable per-name seed: the same net and seed give the same initial weights.
    let h = this.seed >>> 0;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
    return h;
  }

  /**
   * A trainable tensor drawn from U(−bound, bound). PyTorch's default for Conv2d and
   * Linear is kaiming_uniform_(a=√5), i.e. bound = 1/√fan_in (He et al., ICCV 2015).
   */
  uniform(name: string, shape: number[], bound: number): tf.Variable {
    return this.add(name, tf.randomUniform(shape, -bound, bound, 'float32', this.seedFor(name)));
  }

  constant(name: string, shape: number[], value: number, trainable = true, dtype: 'float32' | 'int32' = 'float32'): tf.Variable {
    return this.add(name, tf.fill(shape, value, dtype), trainable);
  }

  private add(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    const map = trainable ? this.trainable : this.state;
    if (map.has(name)) throw new Error(`duplicate parameter name ${name}`);
    if (this.shared) {
      const v = this.shared(name, init, trainable);
      map.set(name, v);
      return v;
    }
    // tfjs variable names are global; prefix with a per-model id so that two models coexist.
    const v = tf.variable(init, trainable, `${this.uid}/${name}`);
    init.dispose();
    map.set(name, v);
    this.owned.push(v);
    return v;
  }

  /** Keeps a constant tensor until `dispose()`; returns it. */
  keep<T extends tf.Tensor>(t: T): T {
    this.constants.push(t);
    return t;
  }

  paramCount(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.owned) v.dispose();
    for (const t of this.constants) t.dispose();
  }
}
let nextModelId = 0;

export type Layer = (x: tf.Tensor4D, training: boolean) => tf.Tensor4D;

export interface ConvSpec {
  cin: number;
  cout: number;
  k: number;
  stride?: number;
  groups?: number;
}

/** nn.Conv2d(cin, cout, k, stride, padding=k//2, groups, bias=False). */
export function conv2d(p: ParamRegistry, name: string, s: ConvSpec): Layer {
  const stride = s.stride ?? 1,
    groups = s.groups ?? 1,
    pad = Math.floor(s.k / 2);
  const fanIn = (s.cin / groups) * s.k * s.k;
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
  if (groups === 1) {
    const w = p.uniform(`${name}.weight`, [s.k, s.k, s.cin, s.cout], 1 / Math.sqrt(fanIn));
    // PyTorch pads k//2 on every side (explicit), which differs from 'same' for stride 2.
    return (x) => tf.conv2d(x, w as tf.Tensor4D, stride, s.k === 1 ? 'valid' : padding);
  }
  if (groups !== s.cin || s.cout % s.cin !== 0) throw new Error(`${name}: only dense or depthwise (groups = in channels) convolutions are supported`);
  const w = p.uniform(`${name}.weight`, [s.k, s.k, s.cin, s.cout / s.cin], 1 / Math.sqrt(fanIn));
  return (x) => tf.depthwiseConv2d(x, w as tf.Tensor4D, stride, padding);
}

export interface BatchNormOptions {
  /** Learnable γ and β (default true); without them γ = 1 and β = 0 (nn.BatchNorm2d(affine=False)). */
  affine?: boolean;
}

/**
 * nn.BatchNorm2d(c): affine γ/β (γ = 1, β = 0), running statistics with momentum 0.1 and
 * eps 1e-5; training mode normalizes with the biased batch variance and updates the running
 * variance with the unbiased one (Ioffe & Szegedy, ICML 2015; PyTorch's convention).
 */
export function batchNorm(p: ParamRegistry, name: string, c: number, opts: BatchNormOptions = {}): Layer {
  const affine = opts.affine ?? true;
  const gamma = affine ? p.constant(`${name}.weight`, [c], 1) : p.keep(tf.ones([c]));
  const beta = affine ? p.constant(`${name}.bias`, [c], 0) : p.keep(tf.zeros([c]));
  const runMean = p.constant(`${name}.running_mean`, [c], 0, false);
  const runVar = p.constant(`${name}.running_var`, [c], 1, false);
  const eps = 1e-5,
    momentum = 0.1;
  return (x, training) => {
    if (!training) return tf.batchNorm4d(x, runMean as tf.Tensor1D, runVar as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, eps);
    const r = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, eps, { mean: runMean as tf.Tensor1D, variance: runVar as tf.Tensor1D, momentum });
    const { y, mean, variance } = r;
    if (r.runningMean && r.runningVariance) {
      // Updated by the batch-norm kernel itself (wasm SIMD path).
      runMean.assign(r.runningMean);
      runVar.assign(r.runningVariance);
      tf.dispose([mean, variance, r.runningMean, r.runningVariance]);
      return y;
    }
    const m = x.shape[0] * x.shape[1] * x.shape[2];
    tf.tidy(() => {
      runMean.assign(tf.add(tf.mul(runMean, 1 - momentum), tf.mul(mean, momentum)));
      runVar.assign(tf.add(tf.mul(runVar, 1 - momentum), tf.mul(variance, (momentum * m) / Math.max(1, m - 1))));
    });
    tf.dispose([mean, variance]);
    return y;
  };
}

/** nn.Linear(cin, cout) on [N, cin]. */
export function linear(p: ParamRegistry, name: string, cin: number, cout: number): (x: tf.Tensor2D) => tf.Tensor2D {
  const bound = 1 / Math.sqrt(cin);
  const w = p.uniform(`${name}.weight`, [cin, cout], bound);
  const b = p.uniform(`${name}.bias`, [cout], bound);
  return (x) => tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

export const relu: Layer = (x) => tf.relu(x);
export const relu6: Layer = (x) => tf.relu6(x);

/** nn.AvgPool2d(2, 2). */
export const avgPool2: Layer = (x) => tf.avgPool(x, 2, 2, 'valid');

/** AdaptiveAvgPool2d(1) + Flatten: [N, H, W, C] → [N, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

export function sequential(...layers: Layer[]): Layer {
  return (x, training) => layers.reduce((h, l) => l(h, training), x);
}
