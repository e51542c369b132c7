/**
 * An image folder in torchvision's `ImageFolder` layout: one sub-folder per class (class ids
 * in sorted folder-name order), PNG and JPEG files inside (other files are ignored, as
 * torchvision does; hidden files too). PNG is decoded by `pngjs`, JPEG by `jpeg-js`; images
 * are converted to RGB (grey replicated, alpha dropped).
 *
 * On open every image is decoded once, so an unreadable file or an image of another size
 * fails before training, naming the file. Sizes are read from the header before decoding: a
 * small file may declare 20000x20000 pixels (1.6 GB decoded), and MAX_IMAGE_PIXELS is checked
 * first; only regular files of at most MAX_IMAGE_FILE_BYTES are read. Decoded pixels are kept while they fit in
 * `cacheBytes` (default 256 MiB); images beyond that are decoded again when read, so large
 * folders stream from disk with bounded memory.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DatasetError } from './errors';
import { requireRegularFile } from './files';
import type { ImageSource } from './source';

export interface ImageFolderOptions {
  /** Budget for keeping decoded images in memory (bytes, default 256 MiB). */
  cacheBytes?: number;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Pixels of one image (4096 x 4096), far above what image classification trains on. */
export const MAX_IMAGE_PIXELS = 4096 * 4096;
/** Bytes of one image file. */
export const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

/** Width and height from a PNG's IHDR chunk (always first: PNG spec, section 5.2), if present. */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function checkPixels(file: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new DatasetError(
      'unreadable-image',
      `image is ${width}x${height} pixels, more than the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} an image may have`,
      {
        file,
      },
    );
  }
}

interface DecodedRgb {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Decodes a PNG or JPEG file to RGB; throws DatasetError('unreadable-image') naming it. */
export function decodeImageFile(file: string): DecodedRgb {
  const st = requireRegularFile(file, 'the image');
  if (st.size > MAX_IMAGE_FILE_BYTES) {
    throw new DatasetError(
      'unreadable-image',
      `file is ${st.size.toLocaleString('en-US')} bytes, more than the ${MAX_IMAGE_FILE_BYTES.toLocaleString('en-US')} an image file may have`,
      {
        file,
      },
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DatasetError('unreadable-image', `cannot read file (${(e as Error).message})`, { file, cause: e });
  }
  const isPng = bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (isPng) {
    const size = pngSize(bytes);
    if (size) checkPixels(file, size.width, size.height);
  }
  try {
    if (isPng) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgb: dropAlpha(png.data, png.width * png.height) };
    }
    if (isJpeg) {
      // jpeg-js checks the frame header's size against these before it allocates.
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
      return { width: img.width, height: img.height, rgb: dropAlpha(img.data, img.width * img.height) };
    }
  } catch (e) {
    throw new DatasetError('unreadable-image', `cannot decode ${isPng ? 'PNG' : 'JPEG'} (${(e as Error).message})`, { file, cause: e });
  }
  throw new DatasetError('unreadable-image', 'neither a PNG nor a JPEG file (bad signature)', { file, offset: 0 });
}

function dropAlpha(rgba: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[p * 3] = rgba[p * 4];
    rgb[p * 3 + 1] = rgba[p * 4 + 1];
    rgb[p * 3 + 2] = rgba[p * 4 + 2];
  }
  return rgb;
}

export function openImageFolder(dir: string, opts: ImageFolderOptions = {}): ImageSource {
  const cacheBytes = opts.cacheBytes ?? 256 * 1024 * 1024;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError('missing', 'image folder not found', { file: dir });
  const classNames = readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory())
    .sort();
  if (classNames.length === 0) throw new DatasetError('empty', 'no class sub-folders (expected DIR/<class>/<image>.png|jpg)', { file: dir });
  const files: string[] = [];
  const labels: number[] = [];
  classNames.forEach((cls, label) => {
    const classDir = join(dir, cls);
    const images = readdirSync(classDir)
      .filter((name) => !name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
      .sort();
    if (images.length === 0) throw new DatasetError('empty', 'class folder has no PNG or JPEG images', { file: classDir });
    for (const name of images) {
      files.push(join(classDir, name));
      labels.push(label);
    }
  });
  let width = 0;
  let height = 0;
  const cache: (Uint8Array | undefined)[] = [];
  let cached = 0;
  files.forEach((file, i) => {
    const img = decodeImageFile(file);
    if (i === 0) {
      width = img.width;
      height = img.height;
    } else if (img.width !== width || img.height !== height) {
      throw new DatasetError('size-mismatch', `image is ${img.width}x${img.height} but ${files[0]} is ${width}x${height}; all images must have one size`, {
        file,
      });
    }
    if (cached + img.rgb.length <= cacheBytes) {
      cache.push(img.rgb);
      cached += img.rgb.length;
    } else cache.push(undefined);
  });
  return {
    description: `folder ${dir} (${files.length} images, ${classNames.length} classes)`,
    height,
    width,
    channels: 3,
    numClasses: classNames.length,
    classNames,
    length: files.length,
    labelAt: (i) => labels[i],
    readImage(i, out, outOffset) {
      const rgb = cache[i] ?? decodeImageFile(files[i]).rgb;
      out.set(rgb, outOffset);
    },
  };
}
