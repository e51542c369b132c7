/**
 * `nas train`'s work (src/cli/commands/train.ts declares the command): a module of its own, so
 * that only this command loads the training engine.
 *
 * Order: check the output path, load and elaborate the .nas network, pick the backend, check
 * the training memory, open the data and check that the network fits it, build, train. Every
 * refusal happens before the first step and leaves no file behind.
 */
import { SingleBar } from 'cli-progress';
import { BackendUnavailableError, selectBackend } from '../../core/train/backend';
import { DatasetError, openTrainingData, parseDataSpec } from '../../core/train/data';
import { countBatches } from '../../core/train/data/pipeline';
import { runTrainingLoop, TrainingDivergedError, type EpochResult } from '../../core/train/loop';
import { loadModelWeights, saveModelWeights, SafetensorsError } from '../../core/train/safetensors';
import { createTinyCnn } from '../../core/train/tiny-cnn';
import { buildModel, checkTrainingMemory, estimateTrainingMemory } from '../../core/train/model-builder';
import type { TrainableModel } from '../../core/train/model';
import { UsageError } from '../load.js';
import { TRAIN_EVENTS_VERSION } from '../../protocol/train-events.js';
import type { TrainCommandIo, TrainCommandOptions } from './train.js';
import { checkModelFitsData, resolveNasModel, TrainInputError, type NasModel } from './train-model.js';
import { checkOutputFile } from './train-output.js';
import { runTorchTraining } from './train-torch.js';
import { modelLabel, TrainReport } from './train-report.js';

const PROGRESS_INTERVAL_MS = 500;

/** Runs the command; returns the exit code. Exported for tests and for embedding. */
export async function runTrainCommand(opts: TrainCommandOptions, io: TrainCommandIo): Promise<number> {
  const report = new TrainReport(opts, io);
  const fail = (message: string, code: 1 | 2): number => report.fail(message, code);
  if (opts.save) {
    const bad = checkOutputFile(opts.save);
    if (bad) return fail(bad, 2);
  }
  let nas: NasModel | undefined;
  if (opts.file) {
    try {
      nas = await resolveNasModel(opts.file, { network: opts.network, arch: opts.arch });
    } catch (e) {
      if (e instanceof TrainInputError) {
        for (const l of e.lines.slice(0, -1)) io.err(l);
        return fail(e.lines.at(-1)!, 1);
      }
      if (e instanceof UsageError) return fail(e.message, 2);
      throw e;
    }
  } else if (opts.network || opts.arch) return fail('--network and --arch need a .nas FILE', 2);
  const torch = opts.engine === 'torch';
  if (!torch && ((opts.device !== undefined && opts.device !== 'auto') || opts.gpu !== undefined || opts.python || opts.amp || opts.channelsLast))
    return fail('--device, --gpu, --python, --amp and --channels-last are options of --engine torch', 2);
  if (torch && !nas) return fail('--engine torch trains a network of a .nas FILE (the embedded demo is the tfjs engine only)', 2);
  if (torch && opts.backend) return fail('--backend chooses a backend of the tfjs engine, not of --engine torch (see --device)', 2);
  let sel;
  try {
    // The torch engine needs no tfjs backend: its worker picks its device.
    sel = torch ? undefined : await selectBackend({ force: opts.backend, log: io.err });
  } catch (e) {
    if (e instanceof BackendUnavailableError) return fail(e.message, 2);
    throw e;
  }
  if (nas && sel) {
    const tooBig = checkTrainingMemory(nas.spec, opts.batch, sel.tfBackend);
    if (tooBig) return fail(tooBig, 2);
  }
  let data;
  try {
    const spec = parseDataSpec(opts.data);
    const size = nas ? nas.spec.input[1] : undefined;
    data = openTrainingData(spec, {
      seed: opts.seed,
      valFraction: opts.valFraction,
      useTestSplit: opts.testSplit,
      syntheticLength: opts.images,
      syntheticSize: size,
    });
  } catch (e) {
    if (e instanceof DatasetError) return fail(e.message, e.code === 'missing' || e.code === 'bad-spec' ? 2 : 1);
    throw e;
  }
  const t = data.train;
  io.err(`data: ${t.description} (${t.length} train / ${data.val.length} val, ${t.width}x${t.height}x${t.channels}, ${t.numClasses} classes)`);
  if (nas) {
    const misfit = checkModelFitsData(nas.spec, {
      channels: t.channels,
      height: t.height,
      width: t.width,
      numClasses: t.numClasses,
      description: t.description,
    });
    if (misfit) return fail(misfit, 2);
    if (torch) return runTorchTraining(opts, io, nas, data);
  }
  if (!sel) throw new Error('unreachable: the tfjs engine without a backend');
  const model: TrainableModel = nas
    ? buildModel(nas.spec, { seed: opts.seed })
    : createTinyCnn({
        inputChannels: t.channels,
        numClasses: t.numClasses,
        widths: opts.widths,
        // Stride 2 first on 32 px and larger: a quarter of the cost, and the shapes10 test shows it learns.
        firstStride: Math.min(t.height, t.width) >= 32 ? 2 : 1,
        seed: opts.seed,
      });
  try {
    if (opts.load) {
      try {
        loadModelWeights(model, opts.load);
      } catch (e) {
        if (e instanceof SafetensorsError || (e as NodeJS.ErrnoException).code === 'ENOENT')
          return fail(`cannot load ${opts.load}: ${(e as Error).message}`, 2);
        throw e;
      }
    }
    const label = nas ? modelLabel(nas) : model.name;
    const memory = nas ? estimateTrainingMemory(nas.spec, opts.batch).totalBytes : undefined;
    io.err(
      `model: ${label}, ${model.paramCount()} parameters` +
        (nas ? `, ${(nas.macs / 1e6).toFixed(2)} M MACs per image, ~${(memory! / 2 ** 20).toFixed(0)} MiB to train at batch ${opts.batch}` : '') +
        `; backend ${sel.backend}`,
    );
    const dropLast = t.length > opts.batch;
    report.emit({
      event: 'start',
      version: TRAIN_EVENTS_VERSION,
      model: nas ? nas.label : model.name,
      ...(nas ? { file: nas.file, macs: nas.macs, memoryEstimateBytes: memory } : {}),
      ...(nas?.arch ? { arch: nas.arch } : {}),
      params: model.paramCount(),
      input: [t.channels, t.height, t.width],
      backend: sel.backend,
      data: opts.data,
      dataDescription: t.description,
      classes: t.numClasses,
      trainImages: t.length,
      valImages: data.val.length,
      epochs: opts.epochs,
      batch: opts.batch,
      stepsPerEpoch: countBatches(t.length, opts.batch, dropLast),
    });
    const bar =
      opts.progress !== false && io.isTty && !opts.json
        ? new SingleBar({
            format: 'epoch {epoch} [{bar}] {value}/{total} batches  loss {loss}  acc {acc}  {ips} images/s',
            stream: process.stderr,
            clearOnComplete: true,
            hideCursor: true,
          })
        : undefined;
    let saved: number | undefined;
    let lastProgress = 0;
    const t0 = performance.now();
    const metadata = (e: EpochResult): Record<string, string> => ({
      epoch: String(e.epoch),
      epochs: String(opts.epochs),
      val_acc: String(e.valAcc),
      val_loss: String(e.valLoss),
      data: opts.data,
      seed: String(opts.seed),
      normalize_mean: JSON.stringify(data.stats.mean),
      normalize_std: JSON.stringify(data.stats.std),
      ...(nas
        ? {
            network: nas.label,
            source: nas.file,
            ...(nas.arch ? { arch: nas.arch } : {}),
            layout: 'NHWC activations; conv [kh, kw, in/groups, out]; linear [in, out]; PyTorch permutations in model_spec',
            model_spec: JSON.stringify(nas.spec),
          }
        : {}),
    });
    const result = await runTrainingLoop(model, data, {
      epochs: opts.epochs,
      batchSize: opts.batch,
      lr: opts.lr,
      momentum: opts.momentum,
      weightDecay: opts.weightDecay,
      labelSmoothing: opts.labelSmoothing,
      warmupEpochs: opts.warmup,
      seed: opts.seed,
      augment: opts.augment ? undefined : false,
      signal: io.signal,
      onEvent(e) {
        if (e.type === 'batch') {
          if (bar) {
            if (e.batch === 1) bar.start(e.batches, 0, { epoch: e.epoch, loss: '-', acc: '-', ips: '-' });
            bar.update(e.batch, { epoch: e.epoch, loss: e.loss.toFixed(3), acc: `${(100 * e.acc).toFixed(0)}%`, ips: e.imagesPerSec.toFixed(0) });
          }
          const now = performance.now();
          if (opts.json && (now - lastProgress >= PROGRESS_INTERVAL_MS || e.batch === e.batches)) {
            lastProgress = now;
            report.progress(e);
          }
        } else if (e.type === 'epoch' || e.type === 'cancelled') bar?.stop();
      },
      onEpochEnd(e) {
        report.epoch(e, sel.backend);
        if (opts.save) {
          saveModelWeights(model, opts.save, metadata(e));
          saved = e.epoch;
          report.emit({ event: 'saved', file: opts.save, epoch: e.epoch });
        }
      },
    });
    if (result.cancelled) return report.cancelled(result.completedEpochs, saved);
    report.done(result.completedEpochs, result.epochs.at(-1)!, (performance.now() - t0) / 1000, saved);
    return 0;
  } catch (e) {
    if (e instanceof TrainingDivergedError) return fail(e.message, 1);
    throw e;
  } finally {
    model.dispose();
  }
}
