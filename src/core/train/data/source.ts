/**
 * The common shape of every dataset: a random-access list of uint8 HWC images with int
 * class labels. Loaders keep pixels as raw bytes (1 byte per value, as torchvision keeps
 * CIFAR in a uint8 array) or decode them on demand; float batches are made per batch by
 * `streamBatches`, so an epoch of augmented float images is never held in memory.
 */

export interface ImageSource {
  /** Human-readable description, e.g. `cifar10 /data/cifar (train, 50000 images)`. */
  readonly description: string;
  readonly height: number;
  readonly width: number;
  /** 1 (grey) or 3 (RGB). */
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly length: number;
  /** Class id of image `i`, in [0, numClasses). */
  labelAt(i: number): number;
  /** Copies image `i` as uint8 HWC (height·width·channels bytes) into `out` at `outOffset`. */
  readImage(i: number, out: Uint8Array, outOffset: number): void;
}

/** A view of some images of another source (train/validation splits). */
export function selectImages(source: ImageSource, indices: ArrayLike<number>, label: string): ImageSource {
  const idx = Uint32Array.from(indices as ArrayLike<number>);
  for (const i of idx) if (i >= source.length) throw new RangeError(`index ${i} outside ${source.description}`);
  return {
    description: `${source.description} [${label}, ${idx.length} images]`,
    height: source.height,
    width: source.width,
    channels: source.channels,
    numClasses: source.numClasses,
    classNames: source.classNames,
    length: idx.length,
    labelAt: (i) => source.labelAt(idx[i]),
    readImage: (i, out, off) => source.readImage(idx[i], out, off),
  };
}

/** Image size in bytes (HWC uint8). */
export function imageBytes(source: Pick<ImageSource, 'height' | 'width' | 'channels'>): number {
  return source.height * source.width * source.channels;
}

/** Number of images per class. */
export function countPerClass(source: ImageSource): number[] {
  const counts = new Array<number>(source.numClasses).fill(0);
  for (let i = 0; i < source.length; i++) counts[source.labelAt(i)]++;
  return counts;
}
