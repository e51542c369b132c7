/**
 * One SGD-with-momentum update of one parameter as a single kernel on the wasm backend
 * (`NasSgdUpdate`), in place of the 4–6 elementwise kernels (and engine calls) of the
 * composite in step.ts. Semantics are torch.optim.SGD's with dampening 0:
 *   g ← ∇ + wd·p;  b ← μ·b + g;  d ← nesterov ? g + μ·b : b;  p ← p − lr·d
 * Inputs p, g and (where μ > 0) b; outputs the new p and, where μ > 0, the new b. A plain
 * loop over the wasm heap (parameters are small next to activations: 1.5 M values for all
 * of nb201, ~2 ms a step).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, type WasmBackend, f32 } from './kernel-utils';

export const SGD_UPDATE = 'NasSgdUpdate';

export interface SgdUpdateAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

function sgdUpdate(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { p, g, b } = args.inputs;
  const { lr, momentum, weightDecay, nesterov } = args.attrs as unknown as SgdUpdateAttrs;
  const pOut = backend.makeOutput(p.shape, 'float32');
  const bOut = b ? backend.makeOutput(b.shape, 'float32') : null;
  // Views after the last allocation (growing the heap detaches earlier ones).
  const pv = f32(backend, p),
    gv = f32(backend, g),
    po = f32(backend, pOut);
  const n = pv.length;
  if (bOut && b) {
    const bv = f32(backend, b),
      bo = f32(backend, bOut);
    for (let i = 0; i < n; i++) {
      const gi = gv[i] + weightDecay * pv[i];
      const bi = momentum * bv[i] + gi;
      bo[i] = bi;
      po[i] = pv[i] - lr * (nesterov ? gi + momentum * bi : bi);
    }
    return [pOut, bOut];
  }
  for (let i = 0; i < n; i++) po[i] = pv[i] - lr * (gv[i] + weightDecay * pv[i]);
  return [pOut];
}

export const sgdUpdateConfig: tf.KernelConfig = { kernelName: SGD_UPDATE, backendName: 'wasm', kernelFunc: sgdUpdate as unknown as tf.KernelFunc };
