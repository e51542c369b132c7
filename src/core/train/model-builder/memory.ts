/**
 * Training memory of a built model, estimated before training from the shapes of the
 * elaborated graph (the cost model's), and the wasm backend's limit.
 *
 * With the lean backward pass (../lean-gradients.ts) a training step's peak holds about one
 * copy of every activation the forward pass computes (what the backward pass needs), plus a
 * few transient tensors the size of the largest one, plus the input batch; parameters are
 * held four times (weights, gradients, momentum, the update's new values). Fitted on the
 * wasm heap's high-water mark of the three reference networks at batches 16 to 352 (the
 * estimate is 5 % to 43 % above it, most at small batches, where the fixed part dominates;
 * the table is in docs/training.md):
 *
 *   bytes ≈ 24 MiB + 16·params + batch · 4 · (1.15·Σ activations + largest activation + 2·input)
 *
 * tfjs-backend-wasm is a 32-bit WebAssembly module: its heap cannot pass 4 GiB, and a step
 * that needs more aborts (`Aborted()`) in the middle of training.
 */
import type { ModelSpec } from './spec.js';
import { plan } from './build.js';

/** tfjs-backend-wasm's heap maximum (emscripten's getHeapMax: 4 GiB − 64 KiB). */
export const WASM_HEAP_LIMIT = 4294901760;
/** What a training step may plan to use of it: the heap also fragments. */
export const WASM_TRAINING_BUDGET = Math.floor(0.95 * WASM_HEAP_LIMIT);

export interface TrainingMemoryEstimate {
  /** Bytes independent of the batch (runtime, parameters, gradients, momentum). */
  fixedBytes: number;
  /** Bytes per image of the batch. */
  perImageBytes: number;
  /** fixedBytes + batch · perImageBytes. */
  totalBytes: number;
}

export function estimateTrainingMemory(spec: ModelSpec, batch: number): TrainingMemoryEstimate {
  const { canon, live } = plan(spec);
  let activations = 0;
  let largest = 0;
  let params = 0;
  for (const n of spec.nodes) {
    for (const p of n.params) params += p.shape.reduce((a, b) => a * b, 1);
    if (n.op === 'input' || n.op === 'identity' || canon[n.id] !== n.id || !live[n.id]) continue;
    const size = n.shape[0] * n.shape[1] * n.shape[2];
    activations += size;
    largest = Math.max(largest, size);
  }
  const input = spec.input[0] * spec.input[1] * spec.input[2];
  const fixedBytes = 24 * 2 ** 20 + 16 * params;
  const perImageBytes = 4 * (1.15 * activations + largest + 2 * input);
  return { fixedBytes, perImageBytes, totalBytes: fixedBytes + batch * perImageBytes };
}

/** The largest batch whose estimate stays under `limitBytes` (0 if none does). */
export function largestBatchUnder(e: TrainingMemoryEstimate, limitBytes: number): number {
  return Math.max(0, Math.floor((limitBytes - e.fixedBytes) / e.perImageBytes));
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * Undefined when training `spec` at `batch` fits the backend's memory, else a message for the
 * user: what it needs, the limit, and the largest batch that fits. Only the wasm backend has
 * a hard limit (the native backends and tfjs-backend-cpu use the machine's memory).
 */
export function checkTrainingMemory(spec: ModelSpec, batch: number, backend: string): string | undefined {
  if (backend !== 'wasm') return undefined;
  const e = estimateTrainingMemory(spec, batch);
  if (e.totalBytes <= WASM_TRAINING_BUDGET) return undefined;
  const fits = largestBatchUnder(e, WASM_TRAINING_BUDGET);
  const advice = fits > 0 ? `the largest batch that fits is ${fits} (--batch ${fits})` : 'not even a batch of 1 fits: use a smaller network or input';
  return `training ${spec.name} at batch ${batch} needs about ${gib(e.totalBytes)}, more than the wasm backend's ${gib(WASM_HEAP_LIMIT)} (32-bit WebAssembly memory); ${advice}`;
}
