/**
 * One candidate's training for the search's `train` evaluator: the training loop
 * (./loop.ts) with what a search needs around it — early stopping on the validation accuracy,
 * a time limit, cancellation between batches, and the test-split accuracy of the trained
 * model. The caller builds and disposes the model; the loop frees everything else it makes.
 */
import type { ImageSource } from './data/source';
import { evaluateModel, runTrainingLoop, type EpochResult, type EvalResult, type TrainingData } from './loop';
import type { TrainableModel } from './model';

export interface TrialOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  augment: boolean;
  /** Stop when the validation accuracy has not improved for this many epochs (0: never). */
  patience: number;
  /** Wall-clock limit in seconds (0: none): a trial over it fails with TrialTimeLimitError. */
  seconds: number;
  signal: AbortSignal;
  /** Scored after training, when given (the dataset's test split). */
  test?: ImageSource;
}

export interface TrialResult {
  /** The completed epochs; the last is the trained model's. */
  epochs: EpochResult[];
  /** Early stopping ended the training before `epochs`. */
  stoppedEarly: boolean;
  test?: EvalResult;
}

/** The trial ran past its time limit: it fails (a partly trained model is not comparable). */
export class TrialTimeLimitError extends Error {
  constructor(seconds: number, done: number, epochs: number) {
    super(`the trial ran over its time limit of ${seconds} s (${done} of ${epochs} epochs done)`);
    this.name = 'TrialTimeLimitError';
  }
}

/** The search was cancelled while this trial trained. */
export class TrialCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'TrialCancelledError';
  }
}

export async function trainTrial(model: TrainableModel, data: TrainingData, o: TrialOptions): Promise<TrialResult> {
  if (o.signal.aborted) throw new TrialCancelledError();
  // One signal for the loop: the search's cancel, the time limit, or early stopping.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer =
    o.seconds > 0
      ? setTimeout(() => {
          timedOut = true;
          stop.abort();
        }, o.seconds * 1000)
      : undefined;
  let best = -Infinity;
  let since = 0;
  let stoppedEarly = false;
  try {
    const r = await runTrainingLoop(model, data, {
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      momentum: o.momentum,
      weightDecay: o.weightDecay,
      seed: o.seed,
      augment: o.augment ? undefined : false,
      signal: stop.signal,
      onEpochEnd(e) {
        if (e.valAcc > best) {
          best = e.valAcc;
          since = 0;
        } else if (o.patience > 0 && ++since >= o.patience && e.epoch < o.epochs) {
          stoppedEarly = true;
          stop.abort();
        }
      },
    });
    if (o.signal.aborted) throw new TrialCancelledError();
    if (timedOut) throw new TrialTimeLimitError(o.seconds, r.completedEpochs, o.epochs);
    const result: TrialResult = { epochs: r.epochs, stoppedEarly };
    if (o.test) {
      const t = await evaluateModel(model, o.test, data.stats, 2 * o.batchSize, stop.signal);
      if (o.signal.aborted || !t) throw o.signal.aborted ? new TrialCancelledError() : new TrialTimeLimitError(o.seconds, r.completedEpochs, o.epochs);
      result.test = t;
    }
    return result;
  } finally {
    if (timer) clearTimeout(timer);
    o.signal.removeEventListener('abort', onAbort);
  }
}
