/**
 * One SGD training step: forward, cross-entropy with label smoothing, backward, update.
 *
 * Semantics follow PyTorch so that results and benchmarks are comparable with the peer in
 * shared/peers/torch_train_peer.py:
 *  - `torch.optim.SGD` (dampening 0): g ← ∇ + wd·p;  b ← μ·b + g;  d ← nesterov ? g + μ·b : b;
 *    p ← p − lr·d. The buffer starts at zero, which equals PyTorch's "clone g on the first
 *    step" rule when dampening is 0. Nesterov momentum as in Sutskever et al., "On the
 *    importance of initialization and momentum in deep learning" (ICML 2013).
 *  - `torch.nn.CrossEntropyLoss(label_smoothing=ε)`: target = (1−ε)·onehot + ε/K, loss =
 *    mean over the batch of −Σ target·log_softmax(logits) (Szegedy et al., "Rethinking the
 *    Inception Architecture", CVPR 2016, §7).
 *
 * The whole step runs inside one `tf.tidy`, so every intermediate tensor (activations,
 * gradients, new parameter values) is released before `run` returns; only the variables and
 * the momentum buffers survive. Within the step, the backward pass releases each activation
 * and each gradient as soon as it is done with it (lean-gradients.ts), as PyTorch does. A
 * parameter the loss does not depend on (behind a `zero` op) gets a zero gradient, as
 * PyTorch's `x.mul(0)` of the NAS-Bench-201 and DARTS code gives it: weight decay and
 * momentum still apply. Reading the loss and the number of correct predictions is
 * the only device→host transfer per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerTfjsGradients } from './tfjs-gradients';
import { leanVariableGrads } from './lean-gradients';
import type { TrainableModel } from './model';
import { SGD_UPDATE } from './wasm-kernels/sgd-update';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  labelSmoothing: number;
  nesterov?: boolean;
  /**
   * The momentum buffer of each trainable variable, by name, when buffers outlive the step
   * (a supernet's paths share them per weight): the step neither makes nor frees them.
   */
  momentumBuffer?: (name: string, v: tf.Variable) => tf.Variable;
}
/** Mean loss of the batch and number of correct top-1 predictions. */
export interface StepResult {
  loss: number;
  correct: number;
}
export interface SgdStep {
  /** `labels` are int32 class ids. */
  run(x: tf.Tensor4D, labels: tf.Tensor1D, lr: number): StepResult;
  dispose(): void;
}

/**
 * Cross-entropy with label smoothing, averaged over the batch, from logits [N, K] and int32
 * labels [N]. Exported for tests.
 */
export function computeSmoothedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing: number): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    // Σ_k target_k·logp_k with target = (1−ε)·onehot + ε/K, as (1−ε)·logp[label] + (ε/K)·Σ_k logp_k.
    // (A float one-hot with on/off values is not an option: tfjs-backend-wasm's OneHot
    // writes int32 whatever dtype is asked for, so the smoothed values would read as 0.)
    const onehot = tf.cast(tf.oneHot(labels, classes), 'float32');
    const picked = tf.sum(tf.mul(onehot, logp), 1);
    const perSample = labelSmoothing > 0 ? tf.add(tf.mul(picked, 1 - labelSmoothing), tf.mul(tf.sum(logp, 1), labelSmoothing / classes)) : picked;
    return tf.neg(tf.mean(perSample)) as tf.Scalar;
  });
}

export function createSgdStep(model: TrainableModel, opts: SgdOptions): SgdStep {
  registerTfjsGradients();
  const { momentum, weightDecay, labelSmoothing } = opts;
  const nesterov = opts.nesterov ?? false;
  if (nesterov && momentum <= 0) throw new Error('nesterov momentum requires momentum > 0 (as in torch.optim.SGD)');
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  const names = [...model.trainable.keys()];
  const vars = names.map((n) => model.trainable.get(n)!);
  // Momentum buffers live as variables so that `assign` reuses them across steps.
  // (tidy frees the zero tensors the variables were made from.)
  const shared = opts.momentumBuffer;
  const buffers =
    momentum <= 0
      ? []
      : shared
        ? vars.map((v, i) => shared(names[i]!, v))
        : tf.tidy(() => vars.map((v, i) => tf.variable(tf.zerosLike(v), false, `sgd.momentum.${names[i]}.${v.id}`)));
  let disposed = false;
  const fused = () => tf.getBackend() === 'wasm' && vars.every((v) => v.dtype === 'float32');

  return {
    run(x, labels, lr) {
      if (disposed) throw new Error('SgdStep used after dispose()');
      const [lossT, correctT] = tf.tidy(() => {
        let correct: tf.Scalar | undefined;
        const f = () => {
          const logits = model.forward(x, true);
          correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')) as tf.Scalar);
          return computeSmoothedCrossEntropy(logits, labels, labelSmoothing);
        };
        const { value, grads } = leanVariableGrads(f, vars);
        const gradOf = (v: tf.Variable): tf.Tensor => grads[v.name] ?? tf.zerosLike(v);
        if (fused()) {
          // wasm: one kernel per parameter (wasm-kernels/sgd-update.ts), same formula as below.
          const attrs = { lr, momentum, weightDecay, nesterov };
          for (let i = 0; i < vars.length; i++) {
            const v = vars[i];
            const inputs: tf.NamedTensorMap = momentum > 0 ? { p: v, g: gradOf(v), b: buffers[i] } : { p: v, g: gradOf(v) };
            const [np, nb] = tf.engine().runKernel(SGD_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
            if (nb) buffers[i].assign(nb);
            v.assign(np);
          }
          return [value, correct!] as const;
        }
        for (let i = 0; i < vars.length; i++) {
          const v = vars[i];
          let g: tf.Tensor = gradOf(v);
          if (weightDecay !== 0) g = tf.add(g, tf.mul(v, weightDecay));
          if (momentum > 0) {
            const b = buffers[i];
            const nb = tf.add(tf.mul(b, momentum), g);
            b.assign(nb);
            g = nesterov ? tf.add(g, tf.mul(nb, momentum)) : nb;
          }
          v.assign(tf.sub(v, tf.mul(g, lr)));
        }
        return [value, correct!] as const;
      });
      const loss = lossT.dataSync()[0];
      const correct = correctT.dataSync()[0];
      lossT.dispose();
      correctT.dispose();
      return { loss, correct };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (!shared) for (const b of buffers) b.dispose();
    },
  };
}
