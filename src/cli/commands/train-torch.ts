/**
 * `nas train FILE --engine torch`: the same network, data, options, events and checkpoints as
 * the tfjs engine, trained by the PyTorch worker (python/nas_torch_worker.py) on the exported
 * module (`nas export --to pytorch`): CUDA when torch sees a GPU (or `--device`), else the CPU.
 * The data are written once as a pack in a temporary folder, removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPytorch, ExportError } from '../../core/export/pytorch/index.js';
import { findTorchPython, TorchUnavailableError, TorchWorker, writeDataPack } from '../../core/torch/index.js';
import type { TrainingData } from '../../core/train/data/pipeline';
import type { EpochResult } from '../../core/train/loop';
import { TRAIN_EVENTS_VERSION } from '../../protocol/train-events.js';
import type { TorchStartedEvent } from '../../protocol/torch-worker.js';
import { PRODUCT_VERSION } from '../version.js';
import type { TrainCommandIo, TrainCommandOptions } from './train.js';
import type { NasModel } from './train-model.js';
import { modelLabel, TrainReport, workerBatch, workerEpoch } from './train-report.js';

export type TorchDevice = 'auto' | 'cpu' | 'cuda';

/** Trains `nas` on `data` with the PyTorch worker; returns the exit code. */
export async function runTorchTraining(opts: TrainCommandOptions, io: TrainCommandIo, nas: NasModel, data: TrainingData): Promise<number> {
  const report = new TrainReport(opts, io);
  const fail = (message: string, code: 1 | 2): number => report.fail(message, code);
  let python;
  try {
    python = findTorchPython(opts.python);
  } catch (e) {
    if (e instanceof TorchUnavailableError) return fail(e.message, 2);
    throw e;
  }
  if (opts.device === 'cuda' && !python.cuda)
    return fail(`--device cuda: torch ${python.torch} of ${python.python} sees no CUDA GPU (a CPU build of PyTorch, or no GPU visible)`, 2);
  let code;
  try {
    const { result, def, file, arch } = nas.network;
    code = exportPytorch(result, def, { source: file, arch, version: PRODUCT_VERSION, command: 'nas train --engine torch' });
  } catch (e) {
    if (e instanceof ExportError) return fail(`${nas.label}: ${e.message}`, 1);
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nas-torch-'));
  const worker = new TorchWorker(python.python, (line) => io.err(`worker: ${line}`));
  try {
    const pack = writeDataPack(join(dir, 'data.safetensors'), data);
    const t = data.train;
    const t0 = performance.now();
    let started: TorchStartedEvent | undefined;
    let saved: number | undefined;
    let last: EpochResult | undefined;
    const backend = (s: TorchStartedEvent) => `torch ${s.device}${s.device === 'cuda' ? `:${opts.gpu ?? 0}` : ''} (${s.device_name})`;
    const end = await worker.train(
      {
        model: { code: code.code, name: nas.label },
        data: pack,
        options: {
          epochs: opts.epochs,
          batch: opts.batch,
          lr: opts.lr,
          momentum: opts.momentum,
          weight_decay: opts.weightDecay,
          label_smoothing: opts.labelSmoothing,
          warmup_epochs: opts.warmup,
          seed: opts.seed,
          augment: opts.augment ? { crop_padding: Math.floor(Math.min(t.height, t.width) / 8), horizontal_flip: true } : undefined,
          device: opts.device ?? 'auto',
          cuda_index: opts.gpu ?? 0,
          amp: !!opts.amp,
          channels_last: !!opts.channelsLast,
        },
        ...(opts.load ? { init: opts.load } : {}),
        ...(opts.save
          ? {
              save: opts.save,
              save_metadata: {
                data: opts.data,
                seed: String(opts.seed),
                engine: 'torch',
                normalize_mean: JSON.stringify(data.stats.mean),
                normalize_std: JSON.stringify(data.stats.std),
                network: nas.label,
                source: nas.file,
                ...(nas.arch ? { arch: nas.arch } : {}),
                model_spec: JSON.stringify(nas.spec),
              },
            }
          : {}),
      },
      {
        signal: io.signal,
        onEvent(e) {
          if (e.type === 'started') {
            started = e;
            io.err(
              `backend: ${backend(e)}, torch ${python.python} ${python.torch}${e.amp ? ', mixed precision' : ''}${e.channels_last ? ', channels-last' : ''}`,
            );
            io.err(`model: ${modelLabel(nas)}, ${e.params} parameters, ${(nas.macs / 1e6).toFixed(2)} M MACs per image`);
            report.emit({
              event: 'start',
              version: TRAIN_EVENTS_VERSION,
              model: nas.label,
              file: nas.file,
              macs: nas.macs,
              ...(nas.arch ? { arch: nas.arch } : {}),
              params: e.params,
              input: [t.channels, t.height, t.width],
              backend: backend(e),
              data: opts.data,
              dataDescription: t.description,
              classes: t.numClasses,
              trainImages: t.length,
              valImages: data.val.length,
              epochs: opts.epochs,
              batch: opts.batch,
              stepsPerEpoch: e.steps_per_epoch,
            });
          } else if (e.type === 'progress') {
            report.progress(workerBatch(e));
          } else if (e.type === 'epoch') {
            last = workerEpoch(e);
            report.epoch(last, started ? backend(started) : 'torch');
          } else if (e.type === 'saved') {
            saved = e.epoch;
            report.emit({ event: 'saved', file: e.file, epoch: e.epoch });
          }
        },
      },
    );
    if (end.type === 'cancelled') return report.cancelled(end.completed_epochs, saved);
    if (end.type === 'error') {
      const what = end.kind === 'oom' ? `out of memory at batch ${opts.batch} (try a smaller --batch): ${end.message}` : end.message;
      return fail(what, end.kind === 'data' || end.kind === 'missing-torch' ? 2 : 1);
    }
    report.done(end.epochs, last!, (performance.now() - t0) / 1000, saved);
    return 0;
  } finally {
    await worker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
