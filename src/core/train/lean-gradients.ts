/**
 * `tf.variableGrads` with PyTorch's memory behaviour: each op's saved tensors (the
 * activations its gradient needs) are released as soon as its gradient has been computed,
 * and each activation's gradient as soon as the op that produced the activation has used it.
 *
 * tfjs-core's engine.gradients (tape.ts, backpropagateGradients) keeps every saved tensor and
 * every intermediate gradient until the whole backward pass ends, so a training step's peak
 * holds all activations plus all their gradients at once: on NAS-Bench-201 at batch 64 about
 * 1.8x PyTorch's peak. The walk below is tfjs' own (same filtered tape, same gradient
 * functions, same accumulation order, so the gradients are identical), plus the releases.
 *
 * It uses engine internals that tfjs-core 4.22 does not type as public (`startTape`,
 * `endTape`, `scopedRun`, `state.activeTape`); tfjs' own `gradients` is written with them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getFilteredNodesXToY } from '@tensorflow/tfjs-core/dist/tape.js';

interface TapeNode {
  id: number;
  kernelName: string;
  outputs: tf.Tensor[];
  inputs: Record<string, tf.Tensor>;
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

export interface LeanGrads {
  value: tf.Scalar;
  /** By variable name, as tf.variableGrads; a variable the value does not depend on has none. */
  grads: Record<string, tf.Tensor>;
}

/** The value of `f` and its gradients with respect to `vars`, releasing memory as it goes. */
export function leanVariableGrads(f: () => tf.Scalar, vars: readonly tf.Variable[]): LeanGrads {
  const engine = tf.engine() as unknown as EngineInternals;
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (y.rank !== 0) throw new Error(`leanVariableGrads: f() must return a scalar, got rank ${y.rank}`);
  const tape = engine.state.activeTape!;
  const filtered = getFilteredNodesXToY(tape as never, [...vars], y) as unknown as TapeNode[];
  return engine.tidy('backward', () => {
    // Gradients by tensor id; a gradient function may pass a tensor through (dx = dy), so
    // each gradient tensor counts the entries holding it and goes when none does.
    const acc = new Map<number, tf.Tensor>();
    const holders = new Map<tf.Tensor, number>();
    const put = (id: number, t: tf.Tensor): void => {
      acc.set(id, t);
      holders.set(t, (holders.get(t) ?? 0) + 1);
    };
    const take = (id: number): tf.Tensor => {
      const t = acc.get(id)!;
      acc.delete(id);
      const n = holders.get(t)! - 1;
      if (n > 0) holders.set(t, n);
      else holders.delete(t);
      return t;
    };
    put(y.id, tf.onesLike(y));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i]!;
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
      const inputGradients = node.gradient(dys);
      const done: tf.Tensor[] = [];
      for (const inputName in node.inputs) {
        const x = node.inputs[inputName]!;
        const dx = engine.tidy('grad', () => inputGradients[inputName]!());
        if (dx.dtype !== 'float32')
          throw new Error(`Error in gradient for op ${node.kernelName}: the gradient of input ${inputName} must be float32, got ${dx.dtype}`);
        if (acc.has(x.id)) {
          const cur = take(x.id);
          put(x.id, tf.add(cur, dx));
          done.push(cur, dx);
        } else put(x.id, dx);
      }
      // This node was the last reader of its saved tensors and of its outputs' gradients.
      for (const t of node.saved ?? []) if (!holders.has(t)) t.dispose();
      for (const o of node.outputs) if (acc.has(o.id)) done.push(take(o.id));
      for (const t of done) if (!holders.has(t)) t.dispose();
    }
    const grads: Record<string, tf.Tensor> = {};
    for (const v of vars) {
      const g = acc.get(v.id);
      if (g) grads[v.name] = g;
    }
    if (engine.state.gradientDepth === 0) {
      for (const node of tape) for (const t of node.saved ?? []) if (!holders.has(t)) t.dispose();
      engine.state.activeTape = null;
    }
    return { value: y, grads };
  });
}
