/**
 * `nas train`: trains the tiny CNN (src/core/train/tiny-cnn.ts) on the embedded shapes10
 * dataset or on `--data cifar10:DIR | cifar100:DIR | mnist:DIR | folder:DIR`, with SGD,
 * momentum and a cosine schedule (src/core/train/loop.ts). Progress goes to stderr; stdout
 * gets one line per epoch (one JSON object per line with --json). With --save the weights
 * are written (atomically, as safetensors) after every completed epoch, so Ctrl-C, which
 * cancels between batches, leaves the last completed epoch on disk.
 *
 * Exit codes: 0 trained; 1 bad data or the training failed (e.g. diverged); 2 usage or I/O
 * errors (unknown dataset kind, missing files, unavailable backend); 130 cancelled (SIGINT).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { BackendUnavailableError, isBackendName, selectBackend, type BackendName } from '../../core/train/backend';
import { DatasetError, openTrainingData, parseDataSpec, SHAPES10_DEFAULT_LENGTH } from '../../core/train/data';
import { runTrainingLoop, TrainingDivergedError, type EpochResult } from '../../core/train/loop';
import { loadModelWeights, saveModelWeights, SafetensorsError } from '../../core/train/safetensors';
import { createTinyCnn } from '../../core/train/tiny-cnn';

export interface TrainCommandOptions {
  data: string;
  epochs: number;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  labelSmoothing: number;
  warmup: number;
  seed: number;
  valFraction: number;
  testSplit?: boolean;
  augment: boolean;
  images: number;
  widths: [number, number];
  save?: string;
  load?: string;
  backend?: BackendName;
  json?: boolean;
  progress?: boolean;
}

export interface TrainCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborts training between batches (the CLI wires SIGINT to it). */
  signal?: AbortSignal;
  /** Whether stderr is a terminal (draws the progress bar). */
  isTty?: boolean;
}

export const EXIT_CANCELLED = 130;

const int =
  (name: string, min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
const num =
  (name: string, min: number, max = Infinity) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}]`);
    return n;
  };
const widths = (v: string): [number, number] => {
  const m = /^(\d+),(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('widths must be two positive integers, e.g. 16,32');
  return [Number(m[1]), Number(m[2])];
};

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

export function register(program: Command): void {
  program
    .command('train')
    .description('train the tiny CNN on the embedded shapes10 dataset or on --data, with SGD + cosine schedule')
    .option('--data <spec>', 'shapes10 | cifar10:DIR | cifar100:DIR | mnist:DIR | folder:DIR', 'shapes10')
    .option('--epochs <n>', 'epochs', int('--epochs', 1), 5)
    .option('--batch <n>', 'batch size', int('--batch', 1), 64)
    .option('--lr <x>', 'peak learning rate (cosine-annealed per step to 0)', num('--lr', 1e-12), 0.1)
    .option('--momentum <x>', 'SGD momentum', num('--momentum', 0, 1), 0.9)
    .option('--weight-decay <x>', 'L2 weight decay', num('--weight-decay', 0), 5e-4)
    .option('--label-smoothing <x>', 'label smoothing', num('--label-smoothing', 0, 1), 0)
    .option('--warmup <epochs>', 'linear warmup, in epochs', num('--warmup', 0), 0)
    .option('--seed <n>', 'seed for initialisation, split, shuffling, augmentation and shapes10', int('--seed', 0), 0)
    .option('--val-fraction <x>', 'fraction of training images held out for validation', num('--val-fraction', 1e-9, 1 - 1e-9), 0.1)
    .option('--test-split', "validate on the dataset's test split (CIFAR, MNIST) instead")
    .option('--no-augment', 'disable random crop + horizontal flip')
    .option('--images <n>', 'images generated for shapes10', int('--images', 20), SHAPES10_DEFAULT_LENGTH)
    .option('--widths <a,b>', 'channels of the two conv layers', widths, [16, 32] as [number, number])
    .option('--save <file>', 'write the weights as safetensors after every epoch')
    .option('--load <file>', 'initialise from a safetensors checkpoint of the same model')
    .addOption(new Option('--backend <name>', 'force a backend').choices(['node-gpu', 'node', 'wasm', 'cpu']))
    .option('--json', 'one JSON object per epoch on stdout')
    .option('--no-progress', 'no progress bar')
    .action(async (raw: Record<string, unknown>) => {
      const backend = raw.backend as string | undefined;
      const opts = { ...raw, backend: backend && isBackendName(backend) ? backend : undefined } as unknown as TrainCommandOptions;
      const ctrl = new AbortController();
      const onSigint = (): void => {
        if (ctrl.signal.aborted) process.exit(EXIT_CANCELLED); // a second Ctrl-C does not wait
        process.stderr.write('\nnas train: cancelling after the current batch (Ctrl-C again to quit now)\n');
        ctrl.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        process.exitCode = await runTrainCommand(opts, {
          out: (line) => process.stdout.write(line + '\n'),
          err: (line) => process.stderr.write(line + '\n'),
          signal: ctrl.signal,
          isTty: process.stderr.isTTY,
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
