/**
 * CIFAR-10 / CIFAR-100 "binary version" (Krizhevsky, "Learning Multiple Layers of Features
 * from Tiny Images", 2009; format as described on the dataset's page):
 *   CIFAR-10:  data_batch_1.bin … data_batch_5.bin, test_batch.bin; records of
 *              <1 byte label><3072 bytes pixels>
 *   CIFAR-100: train.bin, test.bin; records of <1 byte coarse label><1 byte fine label><3072>
 * Pixels are 32x32, channel-planar: 1024 red, 1024 green, 1024 blue, each row-major.
 *
 * The directory may be the one holding the .bin files or its parent (the archives unpack to
 * `cifar-10-batches-bin/` and `cifar-100-binary/`). Files are read whole and validated on
 * open: record-size multiple, label range.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './errors';
import { requireRegularFile } from './files';
import type { ImageSource } from './source';

export type CifarVariant = 'cifar10' | 'cifar100';

export interface CifarOptions {
  split?: 'train' | 'test';
  /** CIFAR-100 only: the 100 fine classes (default) or the 20 coarse superclasses. */
  labels?: 'fine' | 'coarse';
}

const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;
const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function resolveDir(dir: string, variant: CifarVariant): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError('missing', `${variant} directory not found`, { file: dir });
  const nested = join(dir, variant === 'cifar10' ? 'cifar-10-batches-bin' : 'cifar-100-binary');
  return existsSync(nested) && statSync(nested).isDirectory() ? nested : dir;
}

function listFiles(dir: string, variant: CifarVariant, split: 'train' | 'test'): string[] {
  if (variant === 'cifar100') {
    const f = join(dir, `${split}.bin`);
    if (!existsSync(f)) throw new DatasetError('missing', `CIFAR-100 ${split} file not found`, { file: f });
    return [f];
  }
  if (split === 'test') {
    const f = join(dir, 'test_batch.bin');
    if (!existsSync(f)) throw new DatasetError('missing', 'CIFAR-10 test file not found', { file: f });
    return [f];
  }
  const batches = readdirSync(dir)
    .map((name) => /^data_batch_(\d+)\.bin$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(dir, m[0]));
  if (batches.length === 0) throw new DatasetError('missing', 'no CIFAR-10 training batches (data_batch_N.bin)', { file: join(dir, 'data_batch_1.bin') });
  return batches;
}

function readClassNames(dir: string, variant: CifarVariant, labels: 'fine' | 'coarse', numClasses: number): string[] {
  const metaFile = join(dir, variant === 'cifar10' ? 'batches.meta.txt' : `${labels}_label_names.txt`);
  if (existsSync(metaFile)) {
    const names = readFileSync(metaFile, 'utf8')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (names.length === numClasses) return names;
  }
  if (variant === 'cifar10') return CIFAR10_NAMES;
  return Array.from({ length: numClasses }, (_, i) => `class_${i}`);
}

export function openCifar(dir: string, variant: CifarVariant, opts: CifarOptions = {}): ImageSource {
  const split = opts.split ?? 'train';
  const labelKind = opts.labels ?? 'fine';
  const base = resolveDir(dir, variant);
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const labelByte = variant === 'cifar100' && labelKind === 'fine' ? 1 : 0;
  const numClasses = variant === 'cifar10' ? 10 : labelKind === 'fine' ? 100 : 20;
  const record = labelBytes + PIXELS;
  const chunks: { file: string; data: Buffer; count: number }[] = [];
  for (const file of listFiles(base, variant, split)) {
    requireRegularFile(file, `the ${variant} batch`);
    const data = readFileSync(file);
    if (data.length === 0) throw new DatasetError('empty', 'file is empty', { file });
    const count = Math.floor(data.length / record);
    if (count * record !== data.length) {
      throw new DatasetError('truncated', `file is ${data.length} bytes, not a multiple of the ${record}-byte ${variant} record (last record incomplete)`, {
        file,
        record: count,
        offset: count * record,
      });
    }
    for (let r = 0; r < count; r++) {
      const label = data[r * record + labelByte];
      if (label >= numClasses) {
        throw new DatasetError('label-range', `label ${label} outside [0, ${numClasses})`, { file, record: r, offset: r * record + labelByte });
      }
    }
    chunks.push({ file, data, count });
  }
  const length = chunks.reduce((a, c) => a + c.count, 0);
  // Global index → (chunk, record) through cumulative starts; chunks are few (≤ 5).
  const starts = chunks.map((_, i) => chunks.slice(0, i).reduce((a, c) => a + c.count, 0));
  const locate = (i: number): [Buffer, number] => {
    let k = chunks.length - 1;
    while (starts[k] > i) k--;
    return [chunks[k].data, (i - starts[k]) * record];
  };
  return {
    description: `${variant} ${base} (${split}, ${length} images)`,
    height: SIDE,
    width: SIDE,
    channels: 3,
    numClasses,
    classNames: readClassNames(base, variant, labelKind, numClasses),
    length,
    labelAt(i) {
      const [data, off] = locate(i);
      return data[off + labelByte];
    },
    readImage(i, out, outOffset) {
      const [data, off] = locate(i);
      const p = off + labelBytes;
      const plane = SIDE * SIDE;
      // Channel-planar (CHW) → interleaved HWC.
      for (let j = 0; j < plane; j++) {
        const o = outOffset + j * 3;
        out[o] = data[p + j];
        out[o + 1] = data[p + plane + j];
        out[o + 2] = data[p + 2 * plane + j];
      }
    },
  };
}
