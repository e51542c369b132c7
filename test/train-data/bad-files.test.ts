/**
 * Data files that are not what they claim (issue 20): a PNG that declares 20000x20000 pixels
 * in a few hundred bytes is refused from its header, before any pixel is decoded; a batch path
 * that is a directory, and an image that is a FIFO, are named instead of failing with EISDIR
 * or blocking the reader.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError, openCifar, openImageFolder } from '../../src/core/train/data';
import { decodeImageFile, MAX_IMAGE_PIXELS } from '../../src/core/train/data/image-folder';
import { makeTempDir, rgbPixels, writeCifarFile, writePng } from './helpers';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = makeTempDir('bad-data');
});
afterEach(() => tmp.cleanup());

function caught(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

/** A PNG chunk: length, type, data, CRC-32 (PNG spec, section 5.3). */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  let crc = 0xffffffff;
  for (const byte of body) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, 8 + data.length);
  return out;
}

/** A valid PNG header declaring width x height RGB pixels, with one row of image data. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const row = deflateSync(Buffer.alloc(1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', row),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('image files', () => {
  it('refuses a small PNG that declares 20000x20000 pixels from its header', () => {
    const file = join(tmp.dir, 'bomb.png');
    const bytes = pngDeclaring(20_000, 20_000);
    expect(bytes.length).toBeLessThan(1000);
    writeFileSync(file, bytes);
    const e = caught(() => decodeImageFile(file));
    expect(e.code).toBe('unreadable-image');
    expect(e.message).toBe(`${file}: image is 20000x20000 pixels, more than the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} an image may have`);
    // The same header at a size within the limit is decoded (and fails only for its missing rows).
    const small = join(tmp.dir, 'small.png');
    writeFileSync(small, pngDeclaring(64, 64));
    expect(caught(() => decodeImageFile(small)).message).toMatch(/cannot decode PNG/);
  });

  it('names an image that is a FIFO instead of blocking on it, in a folder otherwise fine', () => {
    mkdirSync(join(tmp.dir, 'cat'));
    writePng(join(tmp.dir, 'cat', 'a.png'), 4, 4, rgbPixels(0, 4, 4));
    const pipe = join(tmp.dir, 'cat', 'b.png');
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
    const e = caught(() => openImageFolder(tmp.dir));
    expect(e.code).toBe('missing');
    expect(e.message).toBe(`${pipe}: the image is a FIFO (named pipe), not a file`);
  });
});

describe('CIFAR batches', () => {
  it('names a batch path that is a directory (it failed with a raw EISDIR, exit 70)', () => {
    writeCifarFile(join(tmp.dir, 'data_batch_1.bin'), [[3], [9]], 0);
    mkdirSync(join(tmp.dir, 'data_batch_2.bin'));
    const e = caught(() => openCifar(tmp.dir, 'cifar10'));
    expect(e.code).toBe('missing');
    expect(e.message).toBe(`${join(tmp.dir, 'data_batch_2.bin')}: the cifar10 batch is a directory, not a file`);
  });
});
