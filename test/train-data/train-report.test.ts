/**
 * `nas train` says the same for both engines: the PyTorch worker's snake_case events, mapped
 * once (src/cli/commands/train-report.ts), give the same NDJSON lines and the same epoch line
 * as the tfjs loop's events with the same figures.
 */
import { describe, expect, it } from 'vitest';
import type { EpochResult } from '../../src/core/train/loop';
import type { TorchEpochEvent, TorchProgressEvent } from '../../src/protocol/torch-worker';
import type { TrainCommandOptions } from '../../src/cli/commands/train';
import { TrainReport, workerBatch, workerEpoch } from '../../src/cli/commands/train-report';

function said(json: boolean, write: (r: TrainReport) => void): string[] {
  const lines: string[] = [];
  const opts = { json, epochs: 5, data: 'shapes10' } as TrainCommandOptions;
  write(new TrainReport(opts, { out: (l) => lines.push(`out ${l}`), err: (l) => lines.push(`err ${l}`) }));
  return lines;
}

describe("nas train's events from either engine", () => {
  const loopEpoch: EpochResult = { epoch: 2, trainLoss: 1.25, trainAcc: 0.5, valLoss: 1.5, valAcc: 0.375, lr: 0.05, seconds: 3.5, imagesPerSec: 1234.5 };
  const workerEpochEvent: TorchEpochEvent = {
    type: 'epoch',
    id: 't1',
    epoch: 2,
    epochs: 5,
    train_loss: 1.25,
    train_acc: 0.5,
    val_loss: 1.5,
    val_acc: 0.375,
    lr: 0.05,
    seconds: 3.5,
    train_seconds: 3,
    images_per_s: 1234.5,
    cpu_images_per_s: 900,
  };
  const loopBatch = { epoch: 2, batch: 7, batches: 10, step: 17, loss: 1.1, acc: 0.6, lr: 0.07, imagesPerSec: 2000 };
  const workerProgress: TorchProgressEvent = {
    type: 'progress',
    id: 't1',
    epoch: 2,
    batch: 7,
    batches: 10,
    step: 17,
    loss: 1.1,
    acc: 0.6,
    lr: 0.07,
    images_per_s: 2000,
  };

  it('an epoch, a batch, the end: the same NDJSON', () => {
    const run = (epoch: EpochResult, batch: typeof loopBatch) =>
      said(true, (r) => {
        r.progress(batch);
        r.epoch(epoch, 'cpu');
        r.done(2, epoch, 7, undefined);
      });
    const tfjs = run(loopEpoch, loopBatch);
    expect(run(workerEpoch(workerEpochEvent), workerBatch(workerProgress))).toEqual(tfjs);
    expect(tfjs.map((l) => JSON.parse(l.slice(4)) as { event: string })).toEqual([
      { event: 'progress', epoch: 2, batch: 7, batches: 10, step: 17, loss: 1.1, acc: 0.6, lr: 0.07, imagesPerSecond: 2000 },
      {
        event: 'epoch',
        epoch: 2,
        epochs: 5,
        trainLoss: 1.25,
        trainAcc: 0.5,
        valLoss: 1.5,
        valAcc: 0.375,
        lr: 0.05,
        imagesPerSecond: 1234.5,
        seconds: 3.5,
        backend: 'cpu',
        data: 'shapes10',
      },
      { event: 'done', epochs: 2, valAcc: 0.375, valLoss: 1.5, seconds: 7 },
    ]);
  });

  it('the same epoch line without --json', () => {
    const tfjs = said(false, (r) => r.epoch(loopEpoch, 'cpu'));
    expect(said(false, (r) => r.epoch(workerEpoch(workerEpochEvent), 'torch cpu'))).toEqual(tfjs);
    expect(tfjs).toEqual(['out epoch 2/5  train loss 1.2500 acc 50.0%  val loss 1.5000 acc 37.5%  lr 0.0500  1235 images/s  3.5 s']);
  });
});
