/**
 * Training a supernet as SPOS does (Guo et al. 2020, "Single Path One-Shot Neural
 * Architecture Search with Uniform Sampling", Alg. 1): for every batch one path is drawn
 * uniformly from the space (its feasible part, when the search has cost constraints), and one
 * SGD step trains that path's weights in the shared store (weight-store.ts), their momentum
 * buffers shared the same way. The learning rate follows the training loop's cosine schedule
 * over all steps (src/core/train/loop.ts), so a supernet is trained as one network would be.
 *
 * Paths' models are built on the store's variables and kept in a small LRU cache (building is
 * cheap, the variables are the store's); memory is the store plus a bounded number of compiled
 * graphs. Cancelled between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingData } from '../data/pipeline.js';
import { countBatches, streamBatches } from '../data/pipeline.js';
import { computeLearningRate, TrainingDivergedError } from '../loop.js';
import { buildModel, type BuiltModel, type ModelSpec } from '../model-builder/index.js';
import { createSgdStep, type SgdStep } from '../step.js';
import type { SliceSharing } from './weight-slices.js';
import type { WeightStore } from './weight-store.js';

/** One architecture of the space, ready to be built on the store. */
export interface SupernetPath {
  /** Identity of the architecture (its encoding). */
  readonly id: string;
  readonly spec: ModelSpec;
  /** Store key of each weight name (weight-store.ts). */
  readonly keys: ReadonlyMap<string, string>;
}

export interface SupernetProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  /** Mean loss and accuracy of the epoch's batches so far. */
  readonly loss: number;
  readonly accuracy: number;
  readonly lr: number;
  /** Distinct paths trained so far. */
  readonly paths: number;
  /** Tensors in the store. */
  readonly tensors: number;
  readonly seconds: number;
}

export interface SupernetTrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  /** Shuffling seed (the path draws are the caller's `nextPath`). */
  readonly seed: number;
  readonly augment: boolean;
  readonly signal: AbortSignal;
  /** Draws the path that trains on the next batch. */
  readonly nextPath: () => SupernetPath;
  /** Called after every step; the caller throttles what it shows. */
  readonly onProgress?: (p: SupernetProgress) => void;
  /** Compiled paths kept (default 32). */
  readonly cacheSize?: number;
  /** Share by slices (weight-slices.ts; the paths' keys leave out shapes) instead of by key. */
  readonly slices?: SliceSharing;
}

export interface SupernetTrainResult {
  readonly cancelled: boolean;
  readonly steps: number;
  readonly paths: number;
  readonly seconds: number;
  /** Mean training loss and accuracy of the last epoch. */
  readonly loss: number;
  readonly accuracy: number;
}

interface CompiledPath {
  readonly model: BuiltModel;
  readonly step: SgdStep;
  /** Sharing by slices: the weights' slots and the path's own momentum buffers. */
  readonly slots?: ReturnType<SliceSharing['slots']>;
  readonly buffers?: Map<string, tf.Variable>;
}

function disposePath(c: CompiledPath): void {
  c.step.dispose();
  c.model.dispose();
  for (const b of c.buffers?.values() ?? []) b.dispose();
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function trainSupernet(store: WeightStore, data: TrainingData, o: SupernetTrainOptions): Promise<SupernetTrainResult> {
  const t0 = performance.now();
  const size = Math.min(data.train.height, data.train.width);
  const augment = o.augment ? { cropPadding: Math.floor(size / 8), horizontalFlip: true } : undefined;
  const dropLast = data.train.length > o.batchSize;
  const perEpoch = countBatches(data.train.length, o.batchSize, dropLast);
  const steps = perEpoch * o.epochs;
  const cache = new Map<string, CompiledPath>();
  const limit = o.cacheSize ?? 32;
  const seen = new Set<string>();
  const compiled = (path: SupernetPath): CompiledPath => {
    let c = cache.get(path.id);
    if (c) {
      cache.delete(path.id); // most recently used last
    } else {
      if (o.slices) {
        const model = buildModel(path.spec, { seed: o.seed });
        const buffers = new Map<string, tf.Variable>();
        const own = (name: string, v: tf.Variable): tf.Variable => {
          const b = tf.tidy(() => tf.variable(tf.zerosLike(v), false));
          buffers.set(name, b);
          return b;
        };
        const step = createSgdStep(model, { momentum: o.momentum, weightDecay: o.weightDecay, labelSmoothing: 0, momentumBuffer: own });
        c = { model, step, buffers, slots: o.slices.slots(model, path.keys) };
      } else {
        const model = buildModel(path.spec, { seed: o.seed, shared: store.sharedFor(path.keys) });
        const step = createSgdStep(model, {
          momentum: o.momentum,
          weightDecay: o.weightDecay,
          labelSmoothing: 0,
          momentumBuffer: store.momentumFor(path.keys),
        });
        c = { model, step };
      }
      if (cache.size >= limit) {
        const [oldest, old] = cache.entries().next().value as [string, CompiledPath];
        cache.delete(oldest);
        disposePath(old);
      }
    }
    cache.set(path.id, c);
    return c;
  };
  let step = 0;
  let loss = 0;
  let accuracy = 0;
  const result = (cancelled: boolean): SupernetTrainResult => ({
    cancelled,
    steps: step,
    paths: seen.size,
    seconds: (performance.now() - t0) / 1000,
    loss,
    accuracy,
  });
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      let images = 0;
      let lossSum = 0;
      let correct = 0;
      for await (const b of streamBatches(data.train, { batchSize: o.batchSize, stats: data.stats, shuffle: true, seed: o.seed, epoch, augment, dropLast })) {
        if (o.signal.aborted) return result(true);
        const lr = computeLearningRate(step, steps, 0, o.lr);
        const path = o.nextPath();
        seen.add(path.id);
        const c = compiled(path);
        const x = tf.tensor4d(b.x, b.shape, 'float32');
        const y = tf.tensor1d(b.labels, 'int32');
        let r;
        try {
          if (c.slots) o.slices!.gather(c.model, c.slots, c.buffers);
          r = c.step.run(x, y, lr);
          if (c.slots) o.slices!.scatter(c.model, c.slots, c.buffers);
        } finally {
          x.dispose();
          y.dispose();
        }
        step++;
        if (!Number.isFinite(r.loss)) throw new TrainingDivergedError(epoch, step - (epoch - 1) * perEpoch, lr);
        const n = b.shape[0];
        images += n;
        lossSum += r.loss * n;
        correct += r.correct;
        loss = lossSum / images;
        accuracy = correct / images;
        o.onProgress?.({
          epoch,
          epochs: o.epochs,
          step,
          steps,
          loss,
          accuracy,
          lr,
          paths: seen.size,
          tensors: store.size,
          seconds: (performance.now() - t0) / 1000,
        });
        await yieldToEventLoop();
      }
    }
    return result(o.signal.aborted);
  } finally {
    for (const c of cache.values()) disposePath(c);
  }
}
