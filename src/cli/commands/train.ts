/**
 * `nas train [FILE]`: trains a network of a .nas file (built by the model builder,
 * src/core/train/model-builder/), or without FILE the embedded tiny CNN
 * (src/core/train/tiny-cnn.ts), on the embedded shapes10 dataset or on `--data fashion-mnist |
 * cifar10:DIR | cifar100:DIR | mnist:DIR | folder:DIR`, with SGD, momentum and a cosine
 * schedule (src/core/train/loop.ts). Progress goes to stderr (a bar on a terminal); stdout gets
 * one line per epoch, or with --json the NDJSON events of src/protocol/train-events.ts. With
 * --save the weights are written (atomically, as safetensors) after every completed epoch, so
 * Ctrl-C, which cancels between batches, leaves the last completed epoch on disk and nothing
 * partial.
 *
 * Exit codes: 0 trained; 1 the .nas input has errors, bad data, or the training failed (e.g.
 * diverged); 2 usage or I/O errors (unknown dataset, missing files, an output path that cannot
 * be written, a batch over the memory limit, a network that does not fit the data, an
 * unavailable backend); 130 cancelled (SIGINT).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { isBackendName, SHAPES10_DEFAULT_LENGTH, type BackendName } from '../../core/train/names';

export interface TrainCommandOptions {
  /** The .nas file; absent: the embedded tiny CNN. */
  file?: string;
  network?: string;
  arch?: string;
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
  /** The tiny CNN's widths (default 16, 32). */
  widths?: [number, number];
  save?: string;
  load?: string;
  backend?: BackendName;
  /** tfjs (default) or torch: the PyTorch worker (train-torch.ts). */
  engine?: 'tfjs' | 'torch';
  /** The torch engine's device ('auto': CUDA when torch sees a GPU). */
  device?: 'auto' | 'cpu' | 'cuda';
  /** The torch engine's GPU index. */
  gpu?: number;
  /** The Python with torch (default: NAS_PYTHON, else python3 or python on PATH). */
  python?: string;
  amp?: boolean;
  channelsLast?: boolean;
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

/** The training PRNG mixes seeds into 32 bits (core/train/data/rng.ts): a larger one would wrap. */
const MAX_SEED = 2 ** 32 - 1;
/**
 * shapes10 costs no memory per image, but the split and each epoch's shuffle hold an index
 * per image: a billion images exhausted the heap after minutes.
 */
const MAX_SHAPES10_IMAGES = 1_000_000;
const MAX_EPOCHS = 100_000;
const MAX_BATCH = 65_536;

/**
 * Integers in plain decimal digits only: `Number()` takes `""` for 0, `1e300` for an integer
 * and `0x10` for 16.
 */
const int =
  (name: string, min: number, max: number) =>
  (v: string): number => {
    const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`);
    }
    return n;
  };
const num =
  (name: string, min: number, max = Infinity) =>
  (v: string): number => {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}]`);
    return n;
  };
const widths = (v: string): [number, number] => {
  const m = /^(\d+),(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('widths must be two positive integers, e.g. 16,32');
  return [Number(m[1]), Number(m[2])];
};

export function register(program: Command): void {
  program
    .command('train')
    .description(
      'train a network of a .nas file (without FILE: the embedded tiny CNN) on the embedded shapes10 dataset or on --data, with SGD + cosine schedule',
    )
    .argument('[file]', '.nas file')
    .option('--network <name>', 'the network (or, with --arch, the space) to train (default: the first network of FILE)')
    .option('--arch <encoding>', "an architecture of the file's space, by its encoding (nas sample FILE --json prints them)")
    .option('--data <spec>', 'shapes10 | fashion-mnist | cifar10:DIR | cifar100:DIR | mnist:DIR | folder:DIR', 'shapes10')
    .option('--epochs <n>', 'epochs', int('--epochs', 1, MAX_EPOCHS), 5)
    .option('--batch <n>', 'batch size', int('--batch', 1, MAX_BATCH), 64)
    .option('--lr <x>', 'peak learning rate (cosine-annealed per step to 0)', num('--lr', 1e-12), 0.1)
    .option('--momentum <x>', 'SGD momentum', num('--momentum', 0, 1), 0.9)
    .option('--weight-decay <x>', 'L2 weight decay', num('--weight-decay', 0), 5e-4)
    .option('--label-smoothing <x>', 'label smoothing', num('--label-smoothing', 0, 1), 0)
    .option('--warmup <epochs>', 'linear warmup, in epochs', num('--warmup', 0), 0)
    .option('--seed <n>', 'seed for initialisation, split, shuffling, augmentation and shapes10', int('--seed', 0, MAX_SEED), 0)
    .option('--val-fraction <x>', 'fraction of training images held out for validation', num('--val-fraction', 1e-9, 1 - 1e-9), 0.1)
    .option('--test-split', "validate on the dataset's test split (CIFAR, MNIST) instead")
    .option('--no-augment', 'disable random crop + horizontal flip')
    .option('--images <n>', 'images generated for shapes10', int('--images', 20, MAX_SHAPES10_IMAGES), SHAPES10_DEFAULT_LENGTH)
    .option('--widths <a,b>', 'channels of the two conv layers of the tiny CNN (without FILE; default 16,32)', widths)
    .option('--save <file>', 'write the weights as safetensors after every epoch')
    .option('--load <file>', 'initialise from a safetensors checkpoint of the same model')
    .addOption(new Option('--backend <name>', 'force a backend of the tfjs engine').choices(['node-gpu', 'node', 'wasm', 'cpu']))
    .addOption(
      new Option('--engine <name>', 'tfjs (in this process) or torch (a PyTorch worker: CUDA when available)').choices(['tfjs', 'torch']).default('tfjs'),
    )
    .addOption(new Option('--device <name>', 'torch engine: auto (CUDA when torch sees a GPU), cpu or cuda').choices(['auto', 'cpu', 'cuda']).default('auto'))
    .option('--gpu <index>', 'torch engine: which GPU (cuda:N)', int('--gpu', 0, 1023))
    .option('--python <path>', 'torch engine: the Python with torch (default: $NAS_PYTHON, else python3 or python on PATH)')
    .option('--amp', 'torch engine: mixed precision on CUDA (torch.autocast)')
    .option('--channels-last', 'torch engine: channels-last memory format')
    .option('--json', 'NDJSON events on stdout (start, progress, epoch, saved, done | cancelled | error)')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string | undefined, raw: Record<string, unknown>) => {
      const backend = raw.backend as string | undefined;
      const opts = { ...raw, file, backend: backend && isBackendName(backend) ? backend : undefined } as unknown as TrainCommandOptions;
      const ctrl = new AbortController();
      const onSigint = (): void => {
        if (ctrl.signal.aborted) process.exit(EXIT_CANCELLED); // a second Ctrl-C does not wait
        process.stderr.write('\nnas train: cancelling after the current batch (Ctrl-C again to quit now)\n');
        ctrl.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        // The training engine (tfjs) loads only now: other commands start without it.
        const { runTrainCommand } = await import('./train-run.js');
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
