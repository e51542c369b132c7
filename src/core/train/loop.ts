/**
 * The training loop: epochs of shuffled, augmented mini-batches through the SGD step of
 * ./step.ts, a cosine learning-rate schedule with optional linear warmup, validation after
 * every epoch, progress events, and cancellation between batches.
 *
 * Schedule (per step, not per epoch, so short runs still anneal smoothly): linear warmup from
 * lr/W to lr over the first W steps (Goyal et al., "Accurate, Large Minibatch SGD", 2017),
 * then cosine annealing from lr to minLr over the remaining T − W steps,
 *   lr_t = minLr + ½(lr − minLr)(1 + cos(π·t/(T − W))),
 * SGDR's equation (5) without restarts (Loshchilov & Hutter, "SGDR: Stochastic Gradient
 * Descent with Warm Restarts", ICLR 2017); equal to `torch.optim.lr_scheduler.
 * CosineAnnealingLR(T_max = T − W, eta_min = minLr)` stepped once per batch.
 *
 * Memory: each batch's tensors are disposed after its step, the step disposes its own
 * intermediates, evaluation runs in tf.tidy; the live tensor count is the same after every
 * epoch (test/train-data/loop.test.ts checks it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from './model';
import { computeSmoothedCrossEntropy, createSgdStep } from './step';
import type { ImageSource } from './data/source';
import { type AugmentOptions, type Batch, type ChannelStats, type TrainingData, countBatches, streamBatches } from './data/pipeline';

export type { TrainingData };

export interface TrainLoopOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Default 0.9. */
  momentum?: number;
  nesterov?: boolean;
  /** L2 weight decay added to the gradient, as torch.optim.SGD (default 5e-4). */
  weightDecay?: number;
  /** Default 0. */
  labelSmoothing?: number;
  /** Linear warmup length in epochs (fractions allowed; default 0). */
  warmupEpochs?: number;
  /** Learning rate at the end of the cosine (default 0). */
  minLr?: number;
  /** 'cosine' (default) or 'constant' (lr throughout, after any warmup). */
  schedule?: 'cosine' | 'constant';
  /** Seeds shuffling and augmentation (model initialisation is the model's own seed). */
  seed: number;
  /** Default: crop padding 4 (scaled to the image: ⌊size/8⌋) and horizontal flip. `false` disables. */
  augment?: AugmentOptions | false;
  /** Validation batch size (default 2 × batchSize). */
  evalBatchSize?: number;
  /** Checked between batches; when aborted the loop stops and resolves with `cancelled: true`. */
  signal?: AbortSignal;
  onEvent?: (event: TrainEvent) => void;
  /** Awaited after each completed epoch (validation included); the place to save a checkpoint. */
  onEpochEnd?: (epoch: EpochResult) => void | Promise<void>;
}

export interface EpochResult {
  /** 1-based. */
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  /** Learning rate of the epoch's last step. */
  lr: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Training images per second (validation excluded). */
  imagesPerSec: number;
}

export type TrainEvent =
  | { type: 'start'; epochs: number; stepsPerEpoch: number; totalSteps: number; trainImages: number; valImages: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; step: number; loss: number; acc: number; lr: number; imagesPerSec: number }
  | ({ type: 'epoch' } & EpochResult)
  | { type: 'cancelled'; epoch: number; batch: number; completedEpochs: number };

export interface TrainResult {
  epochs: EpochResult[];
  cancelled: boolean;
  /** Equal to epochs.length. */
  completedEpochs: number;
}

export interface EvalResult {
  loss: number;
  acc: number;
}

export class TrainingDivergedError extends Error {
  constructor(epoch: number, batch: number, lr: number) {
    super(`training loss is not finite at epoch ${epoch}, batch ${batch} (lr ${lr.toPrecision(3)}); try a lower learning rate`);
    this.name = 'TrainingDivergedError';
  }
}

/** Learning rate of step `step` (0-based) out of `totalSteps`, per the module comment. */
export function computeLearningRate(
  step: number,
  totalSteps: number,
  warmupSteps: number,
  lr: number,
  minLr = 0,
  schedule: 'cosine' | 'constant' = 'cosine',
): number {
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  if (schedule === 'constant') return lr;
  const span = Math.max(1, totalSteps - warmupSteps);
  const t = Math.min(step - warmupSteps, span);
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos((Math.PI * t) / span));
}

function batchToTensors(b: Batch): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return { x: tf.tensor4d(b.x, b.shape, 'float32'), y: tf.tensor1d(b.labels, 'int32') };
}

// Lets timers, I/O and signal handlers (Ctrl-C) run between synchronous training steps.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Mean cross-entropy (no smoothing) and top-1 accuracy of `model` in inference mode. */
export async function evaluateModel(
  model: TrainableModel,
  source: ImageSource,
  stats: ChannelStats,
  batchSize: number,
  signal?: AbortSignal,
): Promise<EvalResult | undefined> {
  let lossSum = 0;
  let correct = 0;
  for await (const b of streamBatches(source, { batchSize, stats, shuffle: false, seed: 0, epoch: 0 })) {
    if (signal?.aborted) return undefined;
    const n = b.shape[0];
    const [l, c] = tf.tidy(() => {
      const { x, y } = batchToTensors(b);
      const logits = model.forward(x, false);
      const loss = computeSmoothedCrossEntropy(logits, y, 0);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32'));
      return [loss.dataSync()[0], hits.dataSync()[0]];
    });
    lossSum += l * n;
    correct += c;
    await yieldToEventLoop();
  }
  return { loss: lossSum / source.length, acc: correct / source.length };
}

export async function runTrainingLoop(model: TrainableModel, data: TrainingData, opts: TrainLoopOptions): Promise<TrainResult> {
  const { epochs, batchSize, lr, seed } = opts;
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr must be a positive number, got ${lr}`);
  const emit = opts.onEvent ?? (() => undefined);
  const size = Math.min(data.train.height, data.train.width);
  const augment = opts.augment === false ? undefined : (opts.augment ?? { cropPadding: Math.floor(size / 8), horizontalFlip: true });
  // Drop a ragged last batch: a batch of 1 or 2 gives batch norm degenerate statistics.
  const dropLast = data.train.length > batchSize;
  const stepsPerEpoch = countBatches(data.train.length, batchSize, dropLast);
  const totalSteps = stepsPerEpoch * epochs;
  const warmupSteps = Math.round((opts.warmupEpochs ?? 0) * stepsPerEpoch);
  const schedule = opts.schedule ?? 'cosine';
  const step = createSgdStep(model, {
    momentum: opts.momentum ?? 0.9,
    weightDecay: opts.weightDecay ?? 5e-4,
    labelSmoothing: opts.labelSmoothing ?? 0,
    nesterov: opts.nesterov ?? false,
  });
  const results: EpochResult[] = [];
  emit({ type: 'start', epochs, stepsPerEpoch, totalSteps, trainImages: data.train.length, valImages: data.val.length });
  let globalStep = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      let seen = 0;
      let lossSum = 0;
      let correct = 0;
      let batch = 0;
      let currentLr = lr;
      const cancel = (): TrainResult => {
        emit({ type: 'cancelled', epoch, batch, completedEpochs: results.length });
        return { epochs: results, cancelled: true, completedEpochs: results.length };
      };
      for await (const b of streamBatches(data.train, { batchSize, stats: data.stats, shuffle: true, seed, epoch, augment, dropLast })) {
        if (opts.signal?.aborted) return cancel();
        currentLr = computeLearningRate(globalStep, totalSteps, warmupSteps, lr, opts.minLr ?? 0, schedule);
        const { x, y } = batchToTensors(b);
        let r;
        try {
          r = step.run(x, y, currentLr);
        } finally {
          x.dispose();
          y.dispose();
        }
        batch++;
        globalStep++;
        if (!Number.isFinite(r.loss)) throw new TrainingDivergedError(epoch, batch, currentLr);
        const n = b.shape[0];
        seen += n;
        lossSum += r.loss * n;
        correct += r.correct;
        const elapsed = (performance.now() - t0) / 1000;
        emit({
          type: 'batch',
          epoch,
          batch,
          batches: stepsPerEpoch,
          step: globalStep,
          loss: r.loss,
          acc: r.correct / n,
          lr: currentLr,
          imagesPerSec: seen / Math.max(elapsed, 1e-9),
        });
        await yieldToEventLoop();
      }
      if (opts.signal?.aborted) return cancel();
      const trainSeconds = (performance.now() - t0) / 1000;
      const val = await evaluateModel(model, data.val, data.stats, opts.evalBatchSize ?? 2 * batchSize, opts.signal);
      if (val === undefined) return cancel();
      const result: EpochResult = {
        epoch,
        trainLoss: lossSum / Math.max(seen, 1),
        trainAcc: correct / Math.max(seen, 1),
        valLoss: val.loss,
        valAcc: val.acc,
        lr: currentLr,
        seconds: (performance.now() - t0) / 1000,
        imagesPerSec: seen / Math.max(trainSeconds, 1e-9),
      };
      results.push(result);
      emit({ type: 'epoch', ...result });
      if (opts.onEpochEnd) await opts.onEpochEnd(result);
    }
  } finally {
    step.dispose();
  }
  return { epochs: results, cancelled: false, completedEpochs: results.length };
}
