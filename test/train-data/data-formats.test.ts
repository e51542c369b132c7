import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, openCifar, openImageFolder, openMnist, openTrainingData, parseDataSpec } from '../../src/core/train/data';
import type { ImageSource } from '../../src/core/train/data';
import { gzip, idxImages, idxLabels, makeTempDir, pixelValue, rgbPixels, writeCifarFile, writeJpeg, writePng } from './helpers';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = makeTempDir('data');
});
afterEach(() => tmp.cleanup());

function readAll(src: ImageSource, i: number): Uint8Array {
  const out = new Uint8Array(src.height * src.width * src.channels);
  src.readImage(i, out, 0);
  return out;
}

/** Expects `fn` to throw a DatasetError with this code whose message names `file`. */
function expectDatasetError(fn: () => unknown, code: string, file: string, extra?: RegExp): DatasetError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DatasetError);
  const err = caught as DatasetError;
  expect(err.code).toBe(code);
  expect(err.file).toBe(file);
  expect(err.message).toContain(file);
  if (extra) expect(err.message).toMatch(extra);
  return err;
}

describe('CIFAR binary', () => {
  it('reads CIFAR-10 batches in order, converting planar CHW to HWC', () => {
    writeCifarFile(join(tmp.dir, 'data_batch_1.bin'), [[3], [9], [0]], 0);
    writeCifarFile(join(tmp.dir, 'data_batch_2.bin'), [[5], [1]], 3);
    writeFileSync(join(tmp.dir, 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n');
    const src = openCifar(tmp.dir, 'cifar10');
    expect(src.length).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => src.labelAt(i))).toEqual([3, 9, 0, 5, 1]);
    expect(src.classNames[9]).toBe('j');
    for (const i of [0, 4]) {
      const img = readAll(src, i);
      for (const [y, x, c] of [
        [0, 0, 0],
        [31, 5, 2],
        [17, 30, 1],
      ])
        expect(img[(y * 32 + x) * 3 + c]).toBe(pixelValue(i, y, x, c));
    }
  });

  it('reads the test batch and a parent folder holding cifar-10-batches-bin/', () => {
    const nested = join(tmp.dir, 'cifar-10-batches-bin');
    mkdirSync(nested);
    writeCifarFile(join(nested, 'test_batch.bin'), [[7], [2]], 0);
    const src = openCifar(tmp.dir, 'cifar10', { split: 'test' });
    expect(src.length).toBe(2);
    expect(src.labelAt(0)).toBe(7);
  });

  it('reads CIFAR-100 fine (default) or coarse labels from the 2-byte records', () => {
    writeCifarFile(
      join(tmp.dir, 'train.bin'),
      [
        [4, 88],
        [19, 0],
      ],
      0,
    );
    const fine = openCifar(tmp.dir, 'cifar100');
    expect(fine.numClasses).toBe(100);
    expect([fine.labelAt(0), fine.labelAt(1)]).toEqual([88, 0]);
    const coarse = openCifar(tmp.dir, 'cifar100', { labels: 'coarse' });
    expect(coarse.numClasses).toBe(20);
    expect([coarse.labelAt(0), coarse.labelAt(1)]).toEqual([4, 19]);
    expect(readAll(fine, 1)[(2 * 32 + 3) * 3 + 1]).toBe(pixelValue(1, 2, 3, 1));
  });

  it('rejects a truncated batch, naming the file, the record and its offset', () => {
    const f = join(tmp.dir, 'data_batch_1.bin');
    writeCifarFile(f, [[1], [2], [3]], 0);
    writeFileSync(f, readFileSync(f).subarray(0, 3073 * 2 + 100));
    const err = expectDatasetError(() => openCifar(tmp.dir, 'cifar10'), 'truncated', f, /record 2, byte offset 6146/);
    expect(err.record).toBe(2);
  });

  it('rejects a label outside the class range', () => {
    const f = join(tmp.dir, 'data_batch_1.bin');
    writeCifarFile(f, [[1], [10]], 0);
    const err = expectDatasetError(() => openCifar(tmp.dir, 'cifar10'), 'label-range', f, /label 10 outside \[0, 10\)/);
    expect(err.offset).toBe(3073);
  });

  it('reports missing batches and a missing directory', () => {
    expectDatasetError(() => openCifar(tmp.dir, 'cifar10'), 'missing', join(tmp.dir, 'data_batch_1.bin'));
    expectDatasetError(() => openCifar(join(tmp.dir, 'nope'), 'cifar10'), 'missing', join(tmp.dir, 'nope'));
  });
});

describe('MNIST IDX', () => {
  it('reads plain and gzipped files (and the dotted file names)', () => {
    const labels = [5, 0, 4, 1, 9, 2];
    writeFileSync(join(tmp.dir, 'train-images-idx3-ubyte.gz'), gzip(idxImages(6, 28, 28)));
    writeFileSync(join(tmp.dir, 'train-labels-idx1-ubyte'), idxLabels(labels));
    writeFileSync(join(tmp.dir, 't10k-images.idx3-ubyte'), idxImages(2, 28, 28));
    writeFileSync(join(tmp.dir, 't10k-labels.idx1-ubyte.gz'), gzip(idxLabels([7, 3])));
    const train = openMnist(tmp.dir);
    expect([train.length, train.height, train.width, train.channels]).toEqual([6, 28, 28, 1]);
    expect(labels.map((_, i) => train.labelAt(i))).toEqual(labels);
    const img = readAll(train, 4);
    expect(img[13 * 28 + 27]).toBe(pixelValue(4, 13, 27, 0));
    const test = openMnist(tmp.dir, { split: 'test' });
    expect([test.length, test.labelAt(1)]).toEqual([2, 3]);
    expect(readAll(test, 1)[5]).toBe(pixelValue(1, 0, 5, 0));
  });

  it('rejects a truncated image file with the offset where data ends', () => {
    const f = join(tmp.dir, 'train-images-idx3-ubyte');
    writeFileSync(f, idxImages(3, 28, 28).subarray(0, 16 + 784 * 2 + 10));
    writeFileSync(join(tmp.dir, 'train-labels-idx1-ubyte'), idxLabels([1, 2, 3]));
    const err = expectDatasetError(() => openMnist(tmp.dir), 'truncated', f, /3x28x28/);
    expect(err.offset).toBe(16 + 784 * 2 + 10);
  });

  it('rejects a corrupt gzip stream', () => {
    const f = join(tmp.dir, 'train-images-idx3-ubyte.gz');
    const gz = gzip(idxImages(3, 28, 28));
    writeFileSync(f, gz.subarray(0, gz.length - 20));
    writeFileSync(join(tmp.dir, 'train-labels-idx1-ubyte'), idxLabels([1, 2, 3]));
    expectDatasetError(() => openMnist(tmp.dir), 'truncated', f, /gzip/);
  });

  it('rejects a wrong magic number, a label out of range and a count mismatch', () => {
    const img = join(tmp.dir, 'train-images-idx3-ubyte');
    const lab = join(tmp.dir, 'train-labels-idx1-ubyte');
    writeFileSync(img, idxLabels([1, 2, 3])); // a labels file where images are expected
    writeFileSync(lab, idxLabels([1, 2, 3]));
    expectDatasetError(() => openMnist(tmp.dir), 'bad-header', img, /rank 1, expected 3/);
    writeFileSync(img, idxImages(3, 28, 28));
    writeFileSync(lab, idxLabels([1, 12, 3]));
    const err = expectDatasetError(() => openMnist(tmp.dir), 'label-range', lab, /label 12/);
    expect([err.record, err.offset]).toEqual([1, 9]);
    writeFileSync(lab, idxLabels([1, 2]));
    expectDatasetError(() => openMnist(tmp.dir), 'size-mismatch', lab, /2 labels for 3 images/);
  });

  it('reports the missing labels file', () => {
    writeFileSync(join(tmp.dir, 'train-images-idx3-ubyte'), idxImages(1, 28, 28));
    expectDatasetError(() => openMnist(tmp.dir), 'missing', join(tmp.dir, 'train-labels-idx1-ubyte'));
  });
});

describe('image folder', () => {
  function makeFolder(): void {
    for (const cls of ['cat', 'dog']) mkdirSync(join(tmp.dir, cls));
    writePng(join(tmp.dir, 'cat', 'a.png'), 12, 10, rgbPixels(0, 12, 10));
    writePng(join(tmp.dir, 'cat', 'b.png'), 12, 10, rgbPixels(1, 12, 10));
    writeJpeg(join(tmp.dir, 'dog', 'c.jpg'), 12, 10, rgbPixels(2, 12, 10));
    writeFileSync(join(tmp.dir, 'dog', 'notes.txt'), 'ignored');
  }

  it('reads PNG exactly and JPEG closely, labels from sorted sub-folder names', () => {
    makeFolder();
    const src = openImageFolder(tmp.dir);
    expect([src.length, src.width, src.height, src.channels]).toEqual([3, 12, 10, 3]);
    expect(src.classNames).toEqual(['cat', 'dog']);
    expect([0, 1, 2].map((i) => src.labelAt(i))).toEqual([0, 0, 1]);
    expect(Array.from(readAll(src, 1))).toEqual(Array.from(rgbPixels(1, 12, 10)));
    // JPEG is lossy (and chroma-subsampled): compare the mean absolute error.
    const jpg = readAll(src, 2);
    const want = rgbPixels(2, 12, 10);
    let err = 0;
    for (let k = 0; k < want.length; k++) err += Math.abs(jpg[k] - want[k]);
    expect(err / want.length).toBeLessThan(12);
  });

  it('decodes images again when they do not fit the cache', () => {
    makeFolder();
    const src = openImageFolder(tmp.dir, { cacheBytes: 0 });
    expect(Array.from(readAll(src, 0))).toEqual(Array.from(rgbPixels(0, 12, 10)));
  });

  it('rejects mixed image sizes, naming the odd file', () => {
    makeFolder();
    const odd = join(tmp.dir, 'dog', 'd.png');
    writePng(odd, 8, 8, rgbPixels(3, 8, 8));
    expectDatasetError(() => openImageFolder(tmp.dir), 'size-mismatch', odd, /8x8 but .*a\.png is 12x10/);
  });

  it('rejects an unreadable image, a missing folder and an empty class', () => {
    makeFolder();
    const bad = join(tmp.dir, 'dog', 'broken.png');
    copyFileSync(join(tmp.dir, 'cat', 'a.png'), bad);
    writeFileSync(bad, readFileSync(bad).subarray(0, 40));
    expectDatasetError(() => openImageFolder(tmp.dir), 'unreadable-image', bad, /PNG/);
    writeFileSync(bad, 'plain text, not an image');
    expectDatasetError(() => openImageFolder(tmp.dir), 'unreadable-image', bad, /signature/);
    expectDatasetError(() => openImageFolder(join(tmp.dir, 'absent')), 'missing', join(tmp.dir, 'absent'));
    const empty = join(tmp.dir, 'zebra');
    mkdirSync(empty);
    writeFileSync(bad, readFileSync(join(tmp.dir, 'cat', 'a.png')));
    expectDatasetError(() => openImageFolder(tmp.dir), 'empty', empty);
  });
});

describe('dataset specs', () => {
  it('parses KIND:DIR and rejects unknown kinds', () => {
    expect(parseDataSpec('cifar10:/d/x')).toEqual({ kind: 'cifar10', dir: '/d/x' });
    expect(parseDataSpec('folder:rel/dir')).toEqual({ kind: 'folder', dir: 'rel/dir' });
    expect(parseDataSpec('shapes10')).toEqual({ kind: 'shapes10' });
    expect(() => parseDataSpec('imagenet:/x')).toThrow(/unknown dataset 'imagenet:\/x'/);
  });

  it('opens MNIST with its test split as validation, validating before returning', () => {
    writeFileSync(join(tmp.dir, 'train-images-idx3-ubyte'), idxImages(4, 28, 28));
    writeFileSync(join(tmp.dir, 'train-labels-idx1-ubyte'), idxLabels([0, 1, 2, 3]));
    writeFileSync(join(tmp.dir, 't10k-images-idx3-ubyte'), idxImages(2, 28, 28));
    writeFileSync(join(tmp.dir, 't10k-labels-idx1-ubyte'), idxLabels([4, 5]));
    const data = openTrainingData(parseDataSpec(`mnist:${tmp.dir}`), { seed: 1, useTestSplit: true });
    expect([data.train.length, data.val.length, data.stats.mean.length]).toEqual([4, 2, 1]);
    writeFileSync(join(tmp.dir, 't10k-labels-idx1-ubyte'), idxLabels([4, 50]));
    expect(() => openTrainingData(parseDataSpec(`mnist:${tmp.dir}`), { seed: 1, useTestSplit: true })).toThrow(DatasetError);
  });
});
