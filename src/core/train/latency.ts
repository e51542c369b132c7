/**
 * Measured inference time of a model on the engine that runs it: the median of several timed
 * forward passes (inference mode) after warm-up runs, at batch 1 (`latency`, ms) and at a
 * chosen batch (`latency_batch`, ms per batch). MnasNet (Tan et al., CVPR 2019) and SM-NAS
 * (Yao et al., AAAI 2020) search against measured latency because MACs predict it poorly
 * (memory-bound depthwise convolutions, many small ops). Results are kept per architecture
 * (the model spec's structure, not its weights) and engine for the life of the process.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hash64 } from '../util/random';
import type { ModelSpec } from './model-builder/spec';
import type { TrainableModel } from './model';

export interface LatencyOptions {
  batch: number;
  /** Untimed runs first (default 3): kernels compiled, buffers allocated. */
  warmup?: number;
  /** Timed runs (default 10); the median is reported. */
  runs?: number;
}

/** Median milliseconds of one forward pass of `model` on a batch of `o.batch` images. */
export function measureLatency(model: TrainableModel, input: readonly [number, number, number], o: LatencyOptions): number {
  const [c, h, w] = input;
  const x = tf.randomNormal([o.batch, h, w, c], 0, 1, 'float32', 7) as tf.Tensor4D;
  const once = (): number => {
    const t0 = performance.now();
    tf.tidy(() => model.forward(x, false).dataSync());
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < (o.warmup ?? 3); i++) once();
    const times = Array.from({ length: o.runs ?? 10 }, once).sort((a, b) => a - b);
    const n = times.length;
    return n % 2 ? times[(n - 1) / 2]! : (times[n / 2 - 1]! + times[n / 2]!) / 2;
  } finally {
    x.dispose();
  }
}

/** What decides a model's speed: ops, attributes, wiring and shapes (names and weights do not). */
export function specStructureKey(spec: ModelSpec): string {
  return hash64(JSON.stringify([spec.input, spec.output, spec.nodes.map((n) => [n.op, n.attrs, n.inputs, n.shape])]));
}

const measured = new Map<string, number>();

/** `measureLatency`, once per (engine, architecture, batch) in this process. */
export function cachedLatency(engine: string, spec: ModelSpec, model: TrainableModel, o: LatencyOptions): number {
  const key = `${engine}|${o.batch}|${specStructureKey(spec)}`;
  let ms = measured.get(key);
  if (ms === undefined) {
    ms = measureLatency(model, spec.input, o);
    measured.set(key, ms);
  }
  return ms;
}
