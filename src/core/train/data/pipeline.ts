/**
 * From an `ImageSource` to training batches: stratified train/validation split, per-channel
 * normalisation statistics, augmentation (random crop with zero padding + horizontal flip,
 * the standard CIFAR recipe of He et al., "Deep Residual Learning", CVPR 2016, §4.2) and a
 * seeded, shuffled stream of float32 NHWC batches.
 *
 * Memory: only one batch of floats exists per `next()` (plus what the consumer keeps); the
 * augmented epoch is never materialised. Each batch gets fresh arrays because tfjs' cpu
 * backend may adopt a typed array passed to `tf.tensor` without copying it.
 */
import { DatasetError } from './errors';
import { createRng, mixSeed, shuffledIndices } from './rng';
import { type ImageSource, imageBytes, selectImages } from './source';

/** Per-channel mean and standard deviation of pixel values scaled to [0, 1]. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

/** What the training loop consumes: the two splits and the normalisation of both. */
export interface TrainingData {
  train: ImageSource;
  val: ImageSource;
  /** Normalisation statistics (computed on the training split only). */
  stats: ChannelStats;
}

export interface AugmentOptions {
  /** Zero padding (in raw pixel space, as torchvision's RandomCrop(padding=p)) before a random crop back to the image size; 0 disables cropping. */
  cropPadding: number;
  /** Mirror left–right with probability 1/2. */
  horizontalFlip: boolean;
}

export interface Batch {
  /** Images, float32 NHWC, normalised. */
  x: Float32Array;
  /** Class ids. */
  labels: Int32Array;
  /** [n, height, width, channels]; n is smaller than the batch size only for the last batch. */
  shape: [number, number, number, number];
}

export interface BatchStreamOptions {
  batchSize: number;
  stats: ChannelStats;
  /** Shuffle with a permutation drawn from (seed, epoch). */
  shuffle: boolean;
  seed: number;
  epoch: number;
  augment?: AugmentOptions;
  /** Drop a last, smaller batch (keeps batch-norm statistics well defined). */
  dropLast?: boolean;
}

export function countBatches(length: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(length / batchSize) : Math.ceil(length / batchSize);
}

/**
 * Splits `source` into train and validation views, per class (stratified), so that every
 * class with at least two images appears in both; the choice is seeded.
 */
export function splitTrainVal(source: ImageSource, valFraction: number, seed: number): { train: ImageSource; val: ImageSource } {
  if (!(valFraction > 0 && valFraction < 1)) throw new RangeError(`valFraction must be in (0, 1), got ${valFraction}`);
  const byClass: number[][] = Array.from({ length: source.numClasses }, () => []);
  for (let i = 0; i < source.length; i++) byClass[source.labelAt(i)].push(i);
  const rng = createRng(mixSeed(seed, 0x5e11));
  const train: number[] = [];
  const val: number[] = [];
  for (const members of byClass) {
    const order = shuffledIndices(members.length, rng);
    let nVal = Math.round(members.length * valFraction);
    if (members.length >= 2) nVal = Math.min(Math.max(nVal, 1), members.length - 1);
    for (let k = 0; k < members.length; k++) (k < nVal ? val : train).push(members[order[k]]);
  }
  if (train.length === 0 || val.length === 0) {
    throw new DatasetError('empty', `${source.description}: too few images (${source.length}) for a train/validation split`);
  }
  train.sort((a, b) => a - b);
  val.sort((a, b) => a - b);
  return { train: selectImages(source, train, 'train'), val: selectImages(source, val, 'val') };
}

/**
 * Per-channel mean/std over (up to `maxImages`, an evenly spaced sample of) the source, in
 * [0, 1] units, as `torchvision.transforms.Normalize` expects them.
 */
export function computeChannelStats(source: ImageSource, maxImages = 5000): ChannelStats {
  const c = source.channels;
  const n = Math.min(source.length, maxImages);
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  const buf = new Uint8Array(imageBytes(source));
  for (let k = 0; k < n; k++) {
    const i = Math.floor((k * source.length) / n);
    source.readImage(i, buf, 0);
    for (let p = 0; p < buf.length; p++) {
      const v = buf[p] / 255;
      sum[p % c] += v;
      sumSq[p % c] += v * v;
    }
  }
  const count = (n * buf.length) / c;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const m = sum[ch] / count;
    mean.push(m);
    // A constant channel would divide by zero; 1 leaves it centred but unscaled.
    std.push(Math.sqrt(Math.max(sumSq[ch] / count - m * m, 0)) || 1);
  }
  return { mean, std };
}

/**
 * Streams the batches of one epoch. Async so that a consumer awaiting it yields to the event
 * loop between batches (cancellation, progress output, Ctrl-C handlers get to run).
 */
export async function* streamBatches(source: ImageSource, opts: BatchStreamOptions): AsyncGenerator<Batch> {
  const { batchSize, stats } = opts;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const h = source.height;
  const w = source.width;
  const c = source.channels;
  const size = h * w * c;
  if (stats.mean.length !== c || stats.std.length !== c) throw new RangeError(`stats have ${stats.mean.length} channels, images ${c}`);
  const order = opts.shuffle ? shuffledIndices(source.length, createRng(mixSeed(opts.seed, opts.epoch, 0x5af1e))) : null;
  const augRng = createRng(mixSeed(opts.seed, opts.epoch, 0xa096));
  const pad = opts.augment?.cropPadding ?? 0;
  const flip = opts.augment?.horizontalFlip ?? false;
  // value = raw·scale + bias, i.e. (raw/255 − mean)/std.
  const scale = stats.std.map((s) => 1 / (255 * s));
  const bias = stats.mean.map((m, i) => -m / stats.std[i]);
  const raw = new Uint8Array(size);
  const total = countBatches(source.length, batchSize, opts.dropLast);
  for (let b = 0; b < total; b++) {
    const start = b * batchSize;
    const n = Math.min(batchSize, source.length - start);
    const x = new Float32Array(n * size);
    const labels = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const idx = order ? order[start + k] : start + k;
      labels[k] = source.labelAt(idx);
      source.readImage(idx, raw, 0);
      const dy = pad > 0 ? augRng.nextInt(2 * pad + 1) - pad : 0;
      const dx = pad > 0 ? augRng.nextInt(2 * pad + 1) - pad : 0;
      const mirror = flip && augRng.nextFloat() < 0.5;
      const base = k * size;
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        for (let xx = 0; xx < w; xx++) {
          const sx = (mirror ? w - 1 - xx : xx) + dx;
          const o = base + (y * w + xx) * c;
          if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
            for (let ch = 0; ch < c; ch++) x[o + ch] = bias[ch]; // padded pixel: raw 0
          } else {
            const s = (sy * w + sx) * c;
            for (let ch = 0; ch < c; ch++) x[o + ch] = raw[s + ch] * scale[ch] + bias[ch];
          }
        }
      }
    }
    yield { x, labels, shape: [n, h, w, c] };
  }
}
