/**
 * Zero-cost proxies: a score of an architecture at initialisation, from at most one minibatch
 * and one backward pass, that ranks architectures roughly as their trained accuracy does
 * (Abdelfattah, Mehrotra, Dudziak & Lane, "Zero-Cost Proxies for Lightweight NAS", ICLR 2021,
 * whose implementations these follow; Mellor et al. for NASWOT).
 *
 * - `synflow` (Tanaka, Kunin, Yamins & Ganguli, "Pruning neural networks without any data by
 *   iteratively conserving synaptic flow", NeurIPS 2020): weights replaced by their absolute
 *   values, batch norm in inference mode with its initial statistics (the identity), an
 *   all-ones input; R = Σ outputs, score = Σ over convolution and linear weights of θ·∂R/∂θ.
 *   No data.
 * - `naswot` (Mellor, Turner, Storkey & Crowley, "Neural Architecture Search without
 *   Training", ICML 2021): for a minibatch of N images, each ReLU's on/off pattern is a binary
 *   code per image; K[i][j] = Σ_relus (units where images i and j agree), score = log|det K|.
 * - `grad_norm`: Σ over convolution and linear weights of ‖∂L/∂θ‖₂, L the cross-entropy of one
 *   minibatch (Abdelfattah et al. 2021).
 * - `snip` (Lee, Ajanthan & Torr, "SNIP: Single-shot Network Pruning based on Connection
 *   Sensitivity", ICLR 2019): Σ |θ·∂L/∂θ| over the same weights.
 *
 * Every proxy builds the network with the same seed, scores it and frees it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { leanVariableGrads } from '../lean-gradients';
import { buildModel } from '../model-builder/build';
import type { ModelSpec } from '../model-builder/spec';
import { computeSmoothedCrossEntropy } from '../step';
import { addAgreements } from './hamming-kernel';
import { logAbsDet } from './log-det';

export const PROXIES = ['synflow', 'naswot', 'grad_norm', 'snip'] as const;
export type ProxyName = (typeof PROXIES)[number];

/** One minibatch: float32 NHWC images (normalised) and int labels. */
export interface ProxyBatch {
  readonly x: Float32Array;
  readonly labels: Int32Array;
  readonly shape: readonly [number, number, number, number];
}

export interface ProxyOptions {
  /** Initialisation seed, the same for every architecture. */
  readonly seed: number;
  /** Needed by every proxy but synflow. */
  readonly batch?: ProxyBatch;
}

export function scoreProxy(proxy: ProxyName, spec: ModelSpec, o: ProxyOptions): number {
  const model = buildModel(spec, { seed: o.seed });
  try {
    if (proxy === 'synflow') return synflow(spec, model);
    if (!o.batch) throw new Error(`proxy ${proxy} needs a minibatch`);
    return proxy === 'naswot' ? naswot(spec, model, o.batch) : gradientProxy(proxy, spec, model, o.batch);
  } finally {
    model.dispose();
  }
}

type Model = ReturnType<typeof buildModel>;

/** The convolution and linear weights (what Abdelfattah et al. sum over), by model name. */
function layerWeights(spec: ModelSpec, model: Model): tf.Variable[] {
  const out: tf.Variable[] = [];
  for (const n of spec.nodes) {
    if (n.op !== 'conv' && n.op !== 'dwconv' && n.op !== 'fc') continue;
    const w = n.params.find((p) => p.role === 'weight');
    if (w) out.push(model.trainable.get(w.name)!);
  }
  return out;
}

/**
 * Ops under which a network with non-negative weights, identity batch norm and a positive
 * input is positively homogeneous of degree 1 in its input: R(s·1) = s·R(1).
 */
const HOMOGENEOUS = new Set([
  'input',
  'conv',
  'dwconv',
  'bn',
  'relu',
  'maxpool',
  'avgpool',
  'gap',
  'flatten',
  'fc',
  'identity',
  'dropout',
  'zero',
  'add',
  'concat',
  'channel_shuffle',
  'split',
  'upsample',
]);

/** R(1) up to which the engine computes synflow as defined, in float32, with no rescaling. */
const DIRECT_LIMIT = 1e30;

/**
 * Synflow in float32 without overflow. Deep NAS-Bench-201 nets reach R(1) ≈ 1e50, beyond
 * float32; an overflowing forward pass can even sum to a small finite number (Inf − Inf in an
 * add, then a pool), so R is trusted only where it is homogeneous: R(s) ≈ 10·R(s/10). For a
 * homogeneous network (above) the score scales by s·t when the input is s·1 and the output sum
 * is multiplied by t, so s = t = R(1)^(-1/2) keeps forward and backward values near 1 and the
 * score is divided back in float64 (bias terms, a few units against R(1), are negligible).
 * Any other network (sigmoid, swish, ReLU6 ...) is computed as defined, input of ones, and may
 * overflow to Infinity. Abdelfattah et al. compute in float64 instead.
 */
function synflow(spec: ModelSpec, model: Model): number {
  tf.tidy(() => {
    for (const v of model.trainable.values()) v.assign(tf.abs(v));
  });
  const [c, h, w] = spec.input;
  const weights = layerWeights(spec, model);
  const sum = (s: number): number =>
    tf.tidy(() => {
      const out = model.forward(tf.fill([1, h, w, c], s) as tf.Tensor4D, false);
      return tf.sum(out).dataSync()[0]!;
    });
  const score = (s: number, t: number): number =>
    tf.tidy(() => {
      const x = tf.fill([1, h, w, c], s) as tf.Tensor4D;
      const { value, grads } = leanVariableGrads(() => tf.mul(tf.sum(model.forward(x, false)), t) as tf.Scalar, weights);
      value.dispose();
      let total = 0;
      for (const v of weights) {
        const g = grads[v.name];
        if (g) total += tf.sum(tf.mul(v, g)).dataSync()[0]!;
      }
      return total / (s * t);
    });
  if (!spec.nodes.every((n) => HOMOGENEOUS.has(n.op))) return score(1, 1);
  const trusted = (s: number, r: number): boolean => {
    if (!Number.isFinite(r) || r <= 0) return false;
    const r10 = sum(s / 10);
    return Number.isFinite(r10) && Math.abs(r / (10 * r10) - 1) < 0.05;
  };
  let s = 1;
  let r = sum(s);
  while (!trusted(s, r)) {
    s *= 1e-8;
    if (s < 1e-36) return Infinity;
    r = sum(s);
  }
  const logR1 = Math.log(r) - Math.log(s);
  if (logR1 < Math.log(DIRECT_LIMIT)) return score(1, 1);
  const scale = Math.exp(-logR1 / 2);
  return score(scale, scale);
}

function naswot(spec: ModelSpec, model: Model, b: ProxyBatch): number {
  const n = b.shape[0];
  const k = new Float64Array(n * n);
  const relus = new Set(spec.nodes.filter((x) => x.op === 'relu').map((x) => x.id));
  // ReLUs of the same tensor (NAS-Bench-201's edges out of one node each start with a ReLU)
  // have the same codes: each is counted, as a hook on every ReLU module counts it, once computed.
  const byInput = new Map<number, Float64Array>();
  tf.tidy(() => {
    const x = tf.tensor4d(b.x, [...b.shape]);
    model.forward(x, true, (id, value) => {
      if (!relus.has(id)) return;
      const input = spec.nodes[id]!.inputs[0]!;
      let part = byInput.get(input);
      if (!part) {
        part = new Float64Array(n * n);
        // No value: a known zero, every unit off in every image; all codes agree.
        if (!value) part.fill(spec.nodes[id]!.shape.reduce((p, q) => p * q, 1));
        // Read and compared here: tfjs-wasm's broadcast `greater` costs more than the kernel.
        else addAgreements(part, n, value.dataSync() as Float32Array);
        byInput.set(input, part);
      }
      for (let i = 0; i < n * n; i++) k[i]! += part[i]!;
    });
  });
  return logAbsDet(k, n);
}

function gradientProxy(proxy: 'grad_norm' | 'snip', spec: ModelSpec, model: Model, b: ProxyBatch): number {
  const weights = layerWeights(spec, model);
  return tf.tidy(() => {
    const x = tf.tensor4d(b.x, [...b.shape]);
    const y = tf.tensor1d(b.labels, 'int32');
    const { value, grads } = leanVariableGrads(() => computeSmoothedCrossEntropy(model.forward(x, true), y, 0), weights);
    value.dispose();
    let total = 0;
    for (const v of weights) {
      const g = grads[v.name];
      if (!g) continue;
      total += (proxy === 'grad_norm' ? tf.norm(g) : tf.sum(tf.abs(tf.mul(v, g)))).dataSync()[0]!;
    }
    return total;
  });
}
