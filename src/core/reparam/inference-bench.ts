/**
 * Inference time of a training-time network against its deployment form (the reason to fuse:
 * RepVGG's plain 3x3 stack runs faster than its multi-branch training form, Ding et al. 2021,
 * "RepVGG", Table 4). Both models run in eval mode on the same random batch, alternately in
 * one process: each pair times one forward pass of each, the order swapped from pair to pair
 * so that a machine that speeds up or slows down favours neither; each pair's ratio, and the
 * medians, are reported. Wall-clock and CPU time are both measured: the wasm backend runs on
 * one thread, and on a shared machine CPU time swings much less with the neighbours.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from '../train/model-builder/build.js';

export interface InferenceTiming {
  /** Wall-clock milliseconds of one forward pass (data read back included). */
  readonly ms: number;
  /** CPU milliseconds of the process over it. */
  readonly cpuMs: number;
}

export interface FusionPair {
  readonly unfused: InferenceTiming;
  readonly fused: InferenceTiming;
  readonly unfusedFirst: boolean;
  /** unfused / fused, wall-clock. */
  readonly speedup: number;
  /** unfused / fused, CPU time. */
  readonly cpuSpeedup: number;
}

export interface FusionBenchResult {
  readonly batch: number;
  readonly pairs: readonly FusionPair[];
  /** Medians over the pairs. */
  readonly unfusedMs: number;
  readonly fusedMs: number;
  readonly speedup: number;
  readonly cpuSpeedup: number;
}

export interface FusionBenchOptions {
  batch: number;
  /** Timed pairs (at least 3). */
  pairs: number;
  /** Untimed passes of each model first (kernels compiled, buffers allocated). */
  warmup?: number;
  seed?: number;
  /** Called after each pair (progress). */
  onPair?: (pair: FusionPair, index: number) => void;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeForward(model: BuiltModel, x: tf.Tensor4D): InferenceTiming {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const y = model.forward(x, false);
  y.dataSync();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  y.dispose();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Times `unfused` and `fused` (models of the same input) in alternating pairs. */
export async function benchFusion(unfused: BuiltModel, fused: BuiltModel, opts: FusionBenchOptions): Promise<FusionBenchResult> {
  if (opts.pairs < 3) throw new RangeError('at least 3 pairs');
  const [c, h, w] = unfused.spec.input;
  const x = tf.randomNormal([opts.batch, h, w, c], 0, 1, 'float32', opts.seed ?? 0) as tf.Tensor4D;
  try {
    for (let i = 0; i < (opts.warmup ?? 2); i++) {
      timeForward(unfused, x);
      timeForward(fused, x);
    }
    const pairs: FusionPair[] = [];
    for (let i = 0; i < opts.pairs; i++) {
      const unfusedFirst = i % 2 === 0;
      let u: InferenceTiming;
      let f: InferenceTiming;
      if (unfusedFirst) {
        u = timeForward(unfused, x);
        f = timeForward(fused, x);
      } else {
        f = timeForward(fused, x);
        u = timeForward(unfused, x);
      }
      const pair = { unfused: u, fused: f, unfusedFirst, speedup: u.ms / f.ms, cpuSpeedup: u.cpuMs / f.cpuMs };
      pairs.push(pair);
      opts.onPair?.(pair, i);
      // Between pairs: let progress output and signals through.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      batch: opts.batch,
      pairs,
      unfusedMs: median(pairs.map((p) => p.unfused.ms)),
      fusedMs: median(pairs.map((p) => p.fused.ms)),
      speedup: median(pairs.map((p) => p.speedup)),
      cpuSpeedup: median(pairs.map((p) => p.cpuSpeedup)),
    };
  } finally {
    x.dispose();
  }
}
