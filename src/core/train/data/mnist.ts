/**
 * MNIST in LeCun's IDX format (LeCun, Cortes & Burges, "The MNIST database"; also
 * Fashion-MNIST, which uses the same files): big-endian header of 0x00 0x00, a type byte
 * (0x08 = unsigned byte), the number of dimensions, then one uint32 per dimension.
 *   {train,t10k}-images-idx3-ubyte: [n, rows, cols] pixels, row-major
 *   {train,t10k}-labels-idx1-ubyte: [n] labels
 * Either file may be gzipped (detected by the gzip magic, not the name) and may be named
 * with a '.' before "idx" (`train-images.idx3-ubyte`) as some mirrors do.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors';
import { requireRegularFile } from './files';
import type { ImageSource } from './source';

/** The most a gzipped MNIST file may expand to. */
const MAX_UNZIPPED_BYTES = 512 * 1024 * 1024;

export interface MnistOptions {
  split?: 'train' | 'test';
  /** Number of classes (default 10); labels must lie in [0, numClasses). */
  numClasses?: number;
}

const IDX_UBYTE = 0x08;

function findIdxFile(dir: string, prefix: string, kind: 'images' | 'labels'): string {
  const rank = kind === 'images' ? 3 : 1;
  const candidates: string[] = [];
  for (const sep of ['-', '.']) {
    const stem = `${prefix}-${kind}${sep}idx${rank}-ubyte`;
    candidates.push(join(dir, stem), join(dir, `${stem}.gz`));
  }
  const found = candidates.find((f) => existsSync(f));
  if (!found)
    throw new DatasetError(
      'missing',
      `MNIST ${kind} file not found (also looked for ${candidates
        .slice(1)
        .map((c) => c.slice(dir.length + 1))
        .join(', ')})`,
      { file: candidates[0] },
    );
  return found;
}

/** Reads a file, gunzipping it when it starts with the gzip magic 1f 8b (RFC 1952 §2.3.1). */
function readMaybeGzip(file: string): Buffer {
  requireRegularFile(file, 'the MNIST file');
  const raw = readFileSync(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      // Bounded: a small gzip file can expand to gigabytes (MNIST's largest file is 47 MB).
      return gunzipSync(raw, { maxOutputLength: MAX_UNZIPPED_BYTES });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DatasetError('bad-header', `gzip stream expands to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MiB; not an MNIST file`, { file, cause: e });
      }
      throw new DatasetError('truncated', `gzip stream is corrupt or truncated (${(e as Error).message})`, { file, cause: e });
    }
  }
  return raw;
}

interface IdxArray {
  dims: number[];
  data: Buffer;
  headerBytes: number;
}

function parseIdx(file: string, buf: Buffer, rank: number): IdxArray {
  const headerBytes = 4 + 4 * rank;
  if (buf.length < 4) throw new DatasetError('truncated', `file has ${buf.length} bytes, shorter than the IDX magic number`, { file, offset: buf.length });
  if (buf[0] !== 0 || buf[1] !== 0)
    throw new DatasetError('bad-header', `not an IDX file (magic ${buf.readUInt32BE(0).toString(16).padStart(8, '0')})`, { file, offset: 0 });
  if (buf[2] !== IDX_UBYTE) throw new DatasetError('bad-header', `IDX element type 0x${buf[2].toString(16)} is not unsigned byte (0x08)`, { file, offset: 2 });
  if (buf[3] !== rank) throw new DatasetError('bad-header', `IDX rank ${buf[3]}, expected ${rank}`, { file, offset: 3 });
  if (buf.length < headerBytes)
    throw new DatasetError('truncated', `file has ${buf.length} bytes, shorter than the ${headerBytes}-byte IDX header`, { file, offset: buf.length });
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(buf.readUInt32BE(4 + 4 * d));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (buf.length < expected) {
    throw new DatasetError('truncated', `header promises ${dims.join('x')} values (${expected} bytes) but the file has ${buf.length}`, {
      file,
      offset: buf.length,
    });
  }
  if (buf.length > expected)
    throw new DatasetError('bad-header', `${buf.length - expected} bytes after the ${dims.join('x')} values the header declares`, { file, offset: expected });
  return { dims, data: buf, headerBytes };
}

export function openMnist(dir: string, opts: MnistOptions = {}): ImageSource {
  const split = opts.split ?? 'train';
  const numClasses = opts.numClasses ?? 10;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError('missing', 'MNIST directory not found', { file: dir });
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesFile = findIdxFile(dir, prefix, 'images');
  const labelsFile = findIdxFile(dir, prefix, 'labels');
  const images = parseIdx(imagesFile, readMaybeGzip(imagesFile), 3);
  const labels = parseIdx(labelsFile, readMaybeGzip(labelsFile), 1);
  const [n, rows, cols] = images.dims;
  if (labels.dims[0] !== n) throw new DatasetError('size-mismatch', `${labels.dims[0]} labels for ${n} images in ${imagesFile}`, { file: labelsFile });
  if (n === 0) throw new DatasetError('empty', 'no images', { file: imagesFile });
  if (rows === 0 || cols === 0) throw new DatasetError('bad-header', `image size ${rows}x${cols}`, { file: imagesFile, offset: 8 });
  for (let i = 0; i < n; i++) {
    const l = labels.data[labels.headerBytes + i];
    if (l >= numClasses)
      throw new DatasetError('label-range', `label ${l} outside [0, ${numClasses})`, { file: labelsFile, record: i, offset: labels.headerBytes + i });
  }
  const size = rows * cols;
  return {
    description: `mnist ${dir} (${split}, ${n} images)`,
    height: rows,
    width: cols,
    channels: 1,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, i) => String(i)),
    length: n,
    labelAt: (i) => labels.data[labels.headerBytes + i],
    readImage(i, out, outOffset) {
      const start = images.headerBytes + i * size;
      out.set(images.data.subarray(start, start + size), outOffset);
    },
  };
}
