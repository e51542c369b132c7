/**
 * The embedded default dataset, "shapes10": procedurally generated RGB images of 10 classes
 * (oriented stripes, grids, checkerboards, dots, discs, squares, rings, smooth gradients) with
 * random colours, scales, phases and positions plus Gaussian pixel noise. It is generated
 * by the product from a seed, so `nas train` works from a fresh clone with no download and
 * the same seed gives the same images everywhere.
 *
 * Image i is a pure function of (seed, i): nothing is stored, each read regenerates it
 * (≈3k multiply-adds), so the dataset costs no memory whatever its length. Colours are drawn
 * independently of the class, so a model must use shape and texture, not colour.
 */
import type { ImageSource } from './source';
import { createRng, mixSeed, type Rng } from './rng';

export const SHAPES10_CLASSES = [
  'horizontal-stripes',
  'vertical-stripes',
  'diagonal-stripes',
  'grid',
  'checkerboard',
  'dots',
  'disc',
  'square',
  'ring',
  'gradient',
] as const;

export interface SyntheticOptions {
  /** Number of images (labels cycle through the classes, so classes are balanced). */
  length: number;
  seed: number;
  /** Side of the square images (default 32). */
  size?: number;
  /** Standard deviation of the additive pixel noise, in 0..255 units (default 20). */
  noise?: number;
}

type Mask = (y: number, x: number) => number;

function drawMask(label: number, size: number, rng: Rng): Mask {
  const period = 4 + rng.nextInt(5); // 4..8 px: inside the receptive field of two 3x3 convs
  const phase = rng.nextFloat() * period;
  const duty = 0.35 + 0.3 * rng.nextFloat();
  const stripe = (t: number): number => ((((t + phase) % period) + period) % period < duty * period ? 1 : 0);
  const cy = size * (0.3 + 0.4 * rng.nextFloat());
  const cx = size * (0.3 + 0.4 * rng.nextFloat());
  const r = size * (0.18 + 0.17 * rng.nextFloat());
  switch (SHAPES10_CLASSES[label]) {
    case 'horizontal-stripes':
      return (y) => stripe(y);
    case 'vertical-stripes':
      return (_y, x) => stripe(x);
    // Either diagonal, at random: every class is closed under a horizontal flip, so the
    // standard flip augmentation never changes an image's class.
    case 'diagonal-stripes': {
      const sign = rng.nextFloat() < 0.5 ? 1 : -1;
      return (y, x) => stripe((x + sign * y) / Math.SQRT2);
    }
    case 'grid': {
      const width = 1 + rng.nextInt(2);
      const oy = rng.nextInt(period);
      const ox = rng.nextInt(period);
      return (y, x) => ((y + oy) % period < width || (x + ox) % period < width ? 1 : 0);
    }
    case 'checkerboard': {
      const cell = 2 + rng.nextInt(3);
      const oy = rng.nextInt(cell);
      const ox = rng.nextInt(cell);
      return (y, x) => (Math.floor((y + oy) / cell) + Math.floor((x + ox) / cell)) & 1;
    }
    case 'dots': {
      const step = 5 + rng.nextInt(3);
      const rad = 1 + rng.nextFloat();
      const oy = rng.nextFloat() * step;
      const ox = rng.nextFloat() * step;
      return (y, x) => {
        const dy = ((y + oy) % step) - step / 2;
        const dx = ((x + ox) % step) - step / 2;
        return dy * dy + dx * dx <= rad * rad ? 1 : 0;
      };
    }
    case 'disc':
      return (y, x) => ((y - cy) ** 2 + (x - cx) ** 2 <= r * r ? 1 : 0);
    case 'square':
      return (y, x) => (Math.abs(y - cy) <= r && Math.abs(x - cx) <= r ? 1 : 0);
    case 'ring': {
      const t = 1.5 + rng.nextFloat();
      return (y, x) => (Math.abs(Math.hypot(y - cy, x - cx) - r) <= t ? 1 : 0);
    }
    case 'gradient': {
      const a = rng.nextFloat() * 2 * Math.PI;
      const ca = Math.cos(a) / size;
      const sa = Math.sin(a) / size;
      return (y, x) => 0.5 + (x - size / 2) * ca + (y - size / 2) * sa;
    }
    default:
      throw new RangeError(`no class ${label}`);
  }
}

/** Writes image (seed, index) of class `label` as uint8 HWC RGB. */
export function renderShapes10(seed: number, index: number, label: number, size: number, noise: number, out: Uint8Array, offset: number): void {
  const rng = createRng(mixSeed(seed, index, 0x5a9e5));
  const bg = [rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)];
  // Foreground far enough from the background that the pattern is visible in every image.
  let fg: number[];
  do fg = [rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)];
  while (Math.abs(fg[0] - bg[0]) + Math.abs(fg[1] - bg[1]) + Math.abs(fg[2] - bg[2]) < 180);
  const mask = drawMask(label, size, rng);
  let o = offset;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const m = mask(y, x);
      for (let c = 0; c < 3; c++) {
        const v = bg[c] + (fg[c] - bg[c]) * m + noise * rng.nextNormal();
        out[o++] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
  }
}

export function createShapes10(opts: SyntheticOptions): ImageSource {
  const size = opts.size ?? 32;
  const noise = opts.noise ?? 20;
  const k = SHAPES10_CLASSES.length;
  if (!(Number.isInteger(opts.length) && opts.length > 0)) throw new RangeError(`length must be a positive integer, got ${opts.length}`);
  if (!(Number.isInteger(size) && size >= 8)) throw new RangeError(`size must be an integer ≥ 8, got ${size}`);
  return {
    description: `shapes10 (embedded, seed ${opts.seed}, ${opts.length} images ${size}x${size})`,
    height: size,
    width: size,
    channels: 3,
    numClasses: k,
    classNames: SHAPES10_CLASSES,
    length: opts.length,
    labelAt: (i) => i % k,
    readImage: (i, out, off) => renderShapes10(opts.seed, i, i % k, size, noise, out, off),
  };
}
