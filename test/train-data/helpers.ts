/** Shared set-up for the training-data tests: the product's backend ladder, temp dirs, writers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { selectBackend } from '../../src/core/train/backend';

/** Selects the backend the product would (wasm here: the native rungs are not installed). */
export async function useTrainingBackend(): Promise<string> {
  const sel = await selectBackend({ log: () => undefined });
  return sel.backend;
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `nas-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A deterministic pixel value for (image, y, x, channel), to check loaders byte for byte. */
export const pixelValue = (i: number, y: number, x: number, c: number): number => (i * 31 + y * 7 + x * 3 + c * 101) & 0xff;

/** Writes CIFAR records: label byte(s) then channel-planar 32x32x3 pixels. */
export function writeCifarFile(file: string, labels: number[][], firstIndex: number): void {
  const labelBytes = labels[0]?.length ?? 1;
  const record = labelBytes + 3072;
  const buf = Buffer.alloc(labels.length * record);
  labels.forEach((ls, r) => {
    const base = r * record;
    ls.forEach((l, k) => (buf[base + k] = l));
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          buf[base + labelBytes + c * 1024 + y * 32 + x] = pixelValue(firstIndex + r, y, x, c);
        }
  });
  writeFileSync(file, buf);
}

export function idxImages(n: number, rows: number, cols: number): Buffer {
  const buf = Buffer.alloc(16 + n * rows * cols);
  buf.writeUInt32BE(0x00000803, 0);
  buf.writeUInt32BE(n, 4);
  buf.writeUInt32BE(rows, 8);
  buf.writeUInt32BE(cols, 12);
  for (let i = 0; i < n; i++) for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) buf[16 + (i * rows + y) * cols + x] = pixelValue(i, y, x, 0);
  return buf;
}

export function idxLabels(labels: number[]): Buffer {
  const buf = Buffer.alloc(8 + labels.length);
  buf.writeUInt32BE(0x00000801, 0);
  buf.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => (buf[8 + i] = l));
  return buf;
}

export const gzip = (b: Buffer): Buffer => gzipSync(b);

/** RGB pixels of test image `i` (w x h), HWC. */
export function rgbPixels(i: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = pixelValue(i, y, x, c);
  return out;
}

export function writePng(file: string, w: number, h: number, rgb: Uint8Array): void {
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) {
    png.data[p * 4] = rgb[p * 3];
    png.data[p * 4 + 1] = rgb[p * 3 + 1];
    png.data[p * 4 + 2] = rgb[p * 3 + 2];
    png.data[p * 4 + 3] = 255;
  }
  writeFileSync(file, PNG.sync.write(png));
}

export function writeJpeg(file: string, w: number, h: number, rgb: Uint8Array, quality = 100): void {
  const rgba = Buffer.alloc(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    rgba[p * 4] = rgb[p * 3];
    rgba[p * 4 + 1] = rgb[p * 3 + 1];
    rgba[p * 4 + 2] = rgb[p * 3 + 2];
    rgba[p * 4 + 3] = 255;
  }
  writeFileSync(file, jpeg.encode({ data: rgba, width: w, height: h }, quality).data);
}
