/**
 * Dataset entry point: `KIND:DIR` specs (the CLI's `--data`), opening, validation split and
 * normalisation statistics in one call.
 */
import { openCifar } from './cifar';
import { DatasetError } from './errors';
import { openImageFolder } from './image-folder';
import { openMnist } from './mnist';
import { computeChannelStats, splitTrainVal, type TrainingData } from './pipeline';
import type { ImageSource } from './source';
import { createShapes10 } from './synthetic';
import { PACKAGED_DATASETS, findPackagedDataset } from './packaged';

export { DatasetError, type DatasetErrorCode } from './errors';
export type { ImageSource } from './source';
export {
  type TrainingData,
  type ChannelStats,
  type AugmentOptions,
  type Batch,
  streamBatches,
  splitTrainVal,
  computeChannelStats,
  countBatches,
} from './pipeline';
export { openCifar } from './cifar';
export { openMnist } from './mnist';
export { openImageFolder, decodeImageFile } from './image-folder';
export { createShapes10, SHAPES10_CLASSES } from './synthetic';
export { PACKAGED_DATASETS, findPackagedDataset, type PackagedDataset } from './packaged';

export type DatasetKind = 'shapes10' | 'cifar10' | 'cifar100' | 'mnist' | 'folder';

export interface DataSpec {
  kind: DatasetKind;
  /** Directory (every kind but shapes10). */
  dir?: string;
}

import { SHAPES10_DEFAULT_LENGTH } from '../names';

export { SHAPES10_DEFAULT_LENGTH };

/**
 * Parses `shapes10`, `cifar10:DIR`, `cifar100:DIR`, `mnist:DIR`, `folder:DIR` or the name of
 * a packaged dataset (`fashion-mnist`: found where its Debian package installs it, or a
 * `missing` error naming the package).
 */
export function parseDataSpec(text: string): DataSpec {
  if (text === 'shapes10') return { kind: 'shapes10' };
  const packaged = PACKAGED_DATASETS.find((d) => d.name === text);
  if (packaged) return { kind: packaged.format, dir: findPackagedDataset(packaged) };
  const m = /^(cifar10|cifar100|mnist|folder):(.+)$/.exec(text);
  const names = ['shapes10', ...PACKAGED_DATASETS.map((d) => d.name), 'cifar10:DIR', 'cifar100:DIR', 'mnist:DIR', 'folder:DIR'];
  if (!m) throw new DatasetError('bad-spec', `unknown dataset '${text}': expected ${names.join(', ')}`);
  return { kind: m[1] as DatasetKind, dir: m[2] };
}

export interface OpenDatasetOptions {
  /** Seeds the validation split and the embedded dataset. */
  seed: number;
  /** Fraction of the training files held out for validation (default 0.1). */
  valFraction?: number;
  /** Validate on the dataset's own test split (CIFAR, MNIST) instead of holding out training images. */
  useTestSplit?: boolean;
  /** Images generated for shapes10 (default SHAPES10_DEFAULT_LENGTH). */
  syntheticLength?: number;
  /** Side of shapes10 images (default 32). */
  syntheticSize?: number;
}

/** One split of a dataset as stored (the test split: what `nas train --test-split` validates on). */
export function openSplit(spec: DataSpec, split: 'train' | 'test', opts: OpenDatasetOptions): ImageSource {
  const dir = spec.dir ?? '';
  switch (spec.kind) {
    case 'shapes10':
      // The test split is another stretch of the same generator: disjoint images.
      return createShapes10({
        length: opts.syntheticLength ?? SHAPES10_DEFAULT_LENGTH,
        seed: split === 'train' ? opts.seed : opts.seed + 0x7e57,
        size: opts.syntheticSize,
      });
    case 'cifar10':
    case 'cifar100':
      return openCifar(dir, spec.kind, { split });
    case 'mnist':
      return openMnist(dir, { split });
    case 'folder':
      if (split === 'test') throw new DatasetError('bad-spec', 'an image folder has no test split; hold out a validation fraction instead');
      return openImageFolder(dir);
  }
}

/** Opens (and validates) a dataset and returns its train/validation splits and statistics. */
export function openTrainingData(spec: DataSpec, opts: OpenDatasetOptions): TrainingData {
  const all = openSplit(spec, 'train', opts);
  let train: ImageSource;
  let val: ImageSource;
  if (opts.useTestSplit) {
    train = all;
    val = openSplit(spec, 'test', opts);
    if (val.height !== train.height || val.width !== train.width || val.channels !== train.channels) {
      throw new DatasetError(
        'size-mismatch',
        `test images are ${val.width}x${val.height}x${val.channels}, training images ${train.width}x${train.height}x${train.channels}`,
        { file: spec.dir },
      );
    }
  } else {
    ({ train, val } = splitTrainVal(all, opts.valFraction ?? 0.1, opts.seed));
  }
  return { train, val, stats: computeChannelStats(train) };
}
