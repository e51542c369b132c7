/**
 * Training-throughput benchmark of the engine, measured exactly like the PyTorch peer
 * (bench/peers/torch_train_peer.py): random N(0,1) images and random labels, SGD with
 * momentum 0.9 and lr 0.01, plain cross-entropy, 2 warm-up steps, then `steps` timed steps.
 * The networks are the model builder's, from their .nas text (reference-nets-nas.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, selectBackend } from './backend';
import type { ReferenceNetName } from './names';
import { buildReferenceNetFromNas } from './reference-nets-nas';
import { createSgdStep } from './step';

export interface TrainBenchOptions {
  net: ReferenceNetName;
  batch: number;
  steps?: number;
  threads?: number;
  backend?: BackendName;
  log?: (line: string) => void;
}

/** The peer's JSON fields, plus batch/threads as the peer prints them. */
export interface TrainBenchResult {
  engine: string;
  backend: string;
  net: string;
  params: number;
  batch: number;
  threads: number;
  images_per_s: number;
}

/**
 * The result plus images per CPU-second of this process over the timed steps: on a shared,
 * loaded machine wall-clock throughput swings with the neighbours, CPU time much less.
 */
export interface TrainBenchMeasurement extends TrainBenchResult {
  cpu_images_per_s: number;
  /** Peak resident set size of this process so far, in MiB. */
  max_rss_mb: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export async function benchmarkTraining(opts: TrainBenchOptions): Promise<TrainBenchMeasurement> {
  const steps = opts.steps ?? 20;
  const threads = opts.threads ?? 1;
  const sel = await selectBackend({ force: opts.backend, threads, log: opts.log });
  const model = await buildReferenceNetFromNas(opts.net, 0);
  const step = createSgdStep(model, { momentum: 0.9, weightDecay: 0, labelSmoothing: 0 });
  const x = tf.randomNormal([opts.batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomUniformInt([opts.batch], 0, 10, 2) as tf.Tensor1D;
  try {
    for (let i = 0; i < 2; i++) step.run(x, y, 0.01);
    const t0 = performance.now(),
      c0 = cpuSeconds();
    for (let i = 0; i < steps; i++) step.run(x, y, 0.01);
    const dt = (performance.now() - t0) / 1000,
      cpu = cpuSeconds() - c0;
    return {
      engine: `tfjs-${tf.version_core}`,
      backend: sel.backend,
      net: opts.net,
      params: model.paramCount(),
      batch: opts.batch,
      threads,
      images_per_s: (opts.batch * steps) / dt,
      cpu_images_per_s: (opts.batch * steps) / cpu,
      max_rss_mb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    step.dispose();
    model.dispose();
    tf.dispose([x, y]);
  }
}
