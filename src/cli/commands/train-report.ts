/**
 * What `nas train` says while it trains, for both engines: the tfjs loop's events
 * (src/core/train/loop.ts, camelCase) and the PyTorch worker's (src/protocol/torch-worker.ts,
 * snake_case) are mapped to the loop's shapes here, then written once: the `--json` NDJSON
 * events (src/protocol/train-events.ts) or the human lines.
 */
import type { EpochResult, TrainEvent } from '../../core/train/loop';
import type { TorchEpochEvent, TorchProgressEvent } from '../../protocol/torch-worker.js';
import type { TrainEventLine } from '../../protocol/train-events.js';
import { EXIT_CANCELLED, type TrainCommandIo, type TrainCommandOptions } from './train.js';
import type { NasModel } from './train-model.js';

/** One training batch's figures. */
export type BatchFigures = Omit<Extract<TrainEvent, { type: 'batch' }>, 'type'>;

/** The worker's epoch event as the tfjs loop reports an epoch. */
export function workerEpoch(e: TorchEpochEvent): EpochResult {
  return {
    epoch: e.epoch,
    trainLoss: e.train_loss,
    trainAcc: e.train_acc,
    valLoss: e.val_loss,
    valAcc: e.val_acc,
    lr: e.lr,
    seconds: e.seconds,
    imagesPerSec: e.images_per_s,
  };
}

/** The worker's progress event as the tfjs loop reports a batch. */
export function workerBatch(e: TorchProgressEvent): BatchFigures {
  return { epoch: e.epoch, batch: e.batch, batches: e.batches, step: e.step, loss: e.loss, acc: e.acc, lr: e.lr, imagesPerSec: e.images_per_s };
}

/** The network as the `model:` line names it: its name, architecture (shortened) and file. */
export function modelLabel(nas: NasModel): string {
  return `${nas.label}${nas.arch ? ` (architecture ${nas.arch.length > 60 ? nas.arch.slice(0, 57) + '...' : nas.arch})` : ''} from ${nas.file}`;
}

function formatEpoch(e: EpochResult, epochs: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `epoch ${e.epoch}/${epochs}  train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAcc)}  val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAcc)}  lr ${e.lr.toPrecision(3)}  ${e.imagesPerSec.toFixed(0)} images/s  ${e.seconds.toFixed(1)} s`;
}

/** Writes a run's events and lines: NDJSON on stdout with `--json`, else epoch lines on stdout; notes on stderr. */
export class TrainReport {
  constructor(
    private readonly opts: TrainCommandOptions,
    private readonly io: TrainCommandIo,
  ) {}

  emit(e: TrainEventLine): void {
    if (this.opts.json) this.io.out(JSON.stringify(e));
  }

  /** Reports a failure; returns its exit code. */
  fail(message: string, code: 1 | 2): 1 | 2 {
    this.io.err(`nas train: ${message}`);
    this.emit({ event: 'error', message, exitCode: code });
    return code;
  }

  progress(b: BatchFigures): void {
    this.emit({
      event: 'progress',
      epoch: b.epoch,
      batch: b.batch,
      batches: b.batches,
      step: b.step,
      loss: b.loss,
      acc: b.acc,
      lr: b.lr,
      imagesPerSecond: b.imagesPerSec,
    });
  }

  epoch(e: EpochResult, backend: string): void {
    if (!this.opts.json) {
      this.io.out(formatEpoch(e, this.opts.epochs));
      return;
    }
    this.emit({
      event: 'epoch',
      epoch: e.epoch,
      epochs: this.opts.epochs,
      trainLoss: e.trainLoss,
      trainAcc: e.trainAcc,
      valLoss: e.valLoss,
      valAcc: e.valAcc,
      lr: e.lr,
      imagesPerSecond: e.imagesPerSec,
      seconds: e.seconds,
      backend,
      data: this.opts.data,
    });
  }

  /** The run was cancelled after `completedEpochs`; `saved`: the epoch the checkpoint holds. Returns the exit code. */
  cancelled(completedEpochs: number, saved: number | undefined): number {
    const { save } = this.opts;
    const where = save ? (saved ? `; ${save} holds epoch ${saved}` : '; no epoch completed, nothing saved') : '';
    this.io.err(`nas train: cancelled after ${completedEpochs} completed epoch(s)${where}`);
    this.emit({ event: 'cancelled', completedEpochs, ...(saved ? { saved: save, savedEpoch: saved } : {}) });
    return EXIT_CANCELLED;
  }

  /** The run finished: `last` is its last epoch, `saved` the epoch the checkpoint holds. */
  done(epochs: number, last: EpochResult, seconds: number, saved: number | undefined): void {
    const { save } = this.opts;
    if (save) this.io.err(`saved ${save} (epoch ${saved})`);
    this.emit({ event: 'done', epochs, valAcc: last.valAcc, valLoss: last.valLoss, seconds, ...(save ? { saved: save } : {}) });
  }
}
