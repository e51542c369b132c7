/**
 * `nas train`'s work (src/cli/commands/train.ts declares the command): a module of its own, so
 * that only this command loads the training engine.
 */
import { SingleBar } from 'cli-progress';
import { BackendUnavailableError, selectBackend } from '../../core/train/backend';
import { DatasetError, openTrainingData, parseDataSpec } from '../../core/train/data';
import { runTrainingLoop, TrainingDivergedError, type EpochResult } from '../../core/train/loop';
import { loadModelWeights, saveModelWeights, SafetensorsError } from '../../core/train/safetensors';
import { createTinyCnn } from '../../core/train/tiny-cnn';
import { EXIT_CANCELLED, type TrainCommandIo, type TrainCommandOptions } from './train.js';

function formatEpoch(e: EpochResult, epochs: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `epoch ${e.epoch}/${epochs}  train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAcc)}  val loss ${e.valLoss.toFixed(4)} acc ${pct(e.valAcc)}  lr ${e.lr.toPrecision(3)}  ${e.imagesPerSec.toFixed(0)} images/s  ${e.seconds.toFixed(1)} s`;
}

/** Runs the command; returns the exit code. Exported for tests and for embedding. */
export async function runTrainCommand(opts: TrainCommandOptions, io: TrainCommandIo): Promise<number> {
  let sel;
  try {
    sel = await selectBackend({ force: opts.backend, log: io.err });
  } catch (e) {
    if (e instanceof BackendUnavailableError) {
      io.err(`nas train: ${e.message}`);
      return 2;
    }
    throw e;
  }
  let data;
  try {
    const spec = parseDataSpec(opts.data);
    data = openTrainingData(spec, { seed: opts.seed, valFraction: opts.valFraction, useTestSplit: opts.testSplit, syntheticLength: opts.images });
  } catch (e) {
    if (e instanceof DatasetError) {
      io.err(`nas train: ${e.message}`);
      return e.code === 'missing' || e.code === 'bad-spec' ? 2 : 1;
    }
    throw e;
  }
  io.err(
    `data: ${data.train.description} (${data.train.length} train / ${data.val.length} val, ${data.train.width}x${data.train.height}x${data.train.channels}, ${data.train.numClasses} classes)`,
  );
  const model = createTinyCnn({
    inputChannels: data.train.channels,
    numClasses: data.train.numClasses,
    widths: opts.widths,
    // Stride 2 first on 32 px and larger: a quarter of the cost, and the shapes10 test shows it learns.
    firstStride: Math.min(data.train.height, data.train.width) >= 32 ? 2 : 1,
    seed: opts.seed,
  });
  try {
    if (opts.load) {
      try {
        loadModelWeights(model, opts.load);
      } catch (e) {
        if (e instanceof SafetensorsError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
          io.err(`nas train: cannot load ${opts.load}: ${(e as Error).message}`);
          return 2;
        }
        throw e;
      }
    }
    io.err(`model: ${model.name}, ${model.paramCount()} parameters; backend ${sel.backend}`);
    const bar =
      opts.progress !== false && io.isTty
        ? new SingleBar({
            format: 'epoch {epoch} [{bar}] {value}/{total} batches  loss {loss}  acc {acc}  {ips} images/s',
            stream: process.stderr,
            clearOnComplete: true,
            hideCursor: true,
          })
        : undefined;
    let saved: number | undefined;
    const result = await runTrainingLoop(model, data, {
      epochs: opts.epochs,
      batchSize: opts.batch,
      lr: opts.lr,
      momentum: opts.momentum,
      weightDecay: opts.weightDecay,
      labelSmoothing: opts.labelSmoothing,
      warmupEpochs: opts.warmup,
      seed: opts.seed,
      augment: opts.augment ? undefined : false,
      signal: io.signal,
      onEvent(e) {
        if (!bar) return;
        if (e.type === 'batch') {
          if (e.batch === 1) bar.start(e.batches, 0, { epoch: e.epoch, loss: '-', acc: '-', ips: '-' });
          bar.update(e.batch, { epoch: e.epoch, loss: e.loss.toFixed(3), acc: `${(100 * e.acc).toFixed(0)}%`, ips: e.imagesPerSec.toFixed(0) });
        } else if (e.type === 'epoch' || e.type === 'cancelled') bar.stop();
      },
      onEpochEnd(e) {
        if (opts.json) {
          io.out(
            JSON.stringify({
              epoch: e.epoch,
              epochs: opts.epochs,
              train_loss: e.trainLoss,
              train_acc: e.trainAcc,
              val_loss: e.valLoss,
              val_acc: e.valAcc,
              lr: e.lr,
              images_per_s: e.imagesPerSec,
              seconds: e.seconds,
              backend: sel.backend,
              data: opts.data,
            }),
          );
        } else io.out(formatEpoch(e, opts.epochs));
        if (opts.save) {
          saveModelWeights(model, opts.save, {
            epoch: String(e.epoch),
            epochs: String(opts.epochs),
            val_acc: String(e.valAcc),
            val_loss: String(e.valLoss),
            data: opts.data,
            seed: String(opts.seed),
            normalize_mean: JSON.stringify(data.stats.mean),
            normalize_std: JSON.stringify(data.stats.std),
          });
          saved = e.epoch;
        }
      },
    });
    if (result.cancelled) {
      const where = opts.save ? (saved ? `; ${opts.save} holds epoch ${saved}` : '; no epoch completed, nothing saved') : '';
      io.err(`nas train: cancelled after ${result.completedEpochs} completed epoch(s)${where}`);
      return EXIT_CANCELLED;
    }
    if (opts.save) io.err(`saved ${opts.save} (epoch ${saved})`);
    return 0;
  } catch (e) {
    if (e instanceof TrainingDivergedError) {
      io.err(`nas train: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    model.dispose();
  }
}
