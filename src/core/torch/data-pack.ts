/**
 * The data pack of a PyTorch job: the splits the training engine would read, written once as
 * uint8 images and int32 labels in a safetensors file, so that the worker trains on exactly
 * the same images (same split, same decoding) and needs neither the dataset's reader nor any
 * package beyond torch. Images stay uint8 (a quarter of float32), normalised by the worker.
 */
import type { TrainingData } from '../train/data/pipeline';
import type { ImageSource } from '../train/data/source';
import { writeSafetensorsFile, type SafeTensor } from '../train/safetensors';
import type { TorchDataPack } from '../../protocol/torch-worker';

function splitTensors(source: ImageSource, split: string, into: Map<string, SafeTensor>): void {
  const { length: n, height: h, width: w, channels: c } = source;
  const x = new Uint8Array(n * h * w * c);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    source.readImage(i, x, i * h * w * c);
    y[i] = source.labelAt(i);
  }
  into.set(`${split}.x`, { dtype: 'U8', shape: [n, h, w, c], data: x });
  into.set(`${split}.y`, { dtype: 'I32', shape: [n], data: y });
}

/** Writes `data` (and an optional test split) to `file`; returns the pack's description for a train request. */
export function writeDataPack(file: string, data: TrainingData, test?: ImageSource): TorchDataPack {
  const tensors = new Map<string, SafeTensor>();
  splitTensors(data.train, 'train', tensors);
  splitTensors(data.val, 'val', tensors);
  if (test) splitTensors(test, 'test', tensors);
  writeSafetensorsFile(file, tensors, { format: 'nas-studio-data-pack', classes: String(data.train.numClasses) });
  return { path: file, mean: [...data.stats.mean], std: [...data.stats.std] };
}
