/**
 * The `supernet` evaluator: weight sharing as in SPOS (Guo et al. 2020, "Single Path One-Shot
 * Neural Architecture Search with Uniform Sampling"). Before the first trial the space's
 * supernet is trained once, one uniformly drawn path per batch (src/core/train/supernet), or
 * loaded from the cache when the same space was trained with the same recipe before
 * (supernet-cache.ts); each candidate is then scored with the weights it inherits, after its
 * batch-norm statistics are recomputed on a few training batches, by its accuracy on the
 * validation split. Evolution over this evaluator is SPOS's search: constraints apply while
 * sampling and mutating (the strategies draw from the feasible part), and here also while
 * training (only feasible paths are trained).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../../train/data/pipeline.js';
import { streamBatches } from '../../train/data/pipeline.js';
import { cachedLatency } from '../../train/latency.js';
import { evaluateModel, TrainingDivergedError } from '../../train/loop.js';
import { buildModel } from '../../train/model-builder/index.js';
import { writeSafetensorsFile } from '../../train/safetensors.js';
import { recalibrateBatchNorm } from '../../train/supernet/bn-recalibration.js';
import { trainSupernet, type SupernetPath } from '../../train/supernet/train-supernet.js';
import { SliceSharing } from '../../train/supernet/weight-slices.js';
import { sharedWeightKeys, WeightStore } from '../../train/supernet/weight-store.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import { SearchSetupError } from '../feasible.js';
import { LazyCandidate } from '../runner.js';
import type { Arch, Candidate, EvaluateOptions, Evaluation, Evaluator, EvaluatorContext, Settings, SetupProgress } from '../types.js';
import { COST_METRICS } from '../vocabulary.js';
import { defaultSupernetCache, loadSaved, SUPERNET_FORMAT, supernetFile, supernetFingerprint } from './supernet-cache.js';
import { pathDrawer } from './supernet-paths.js';
import { candidateSpec, openEvaluatorData, spaceShape, subsetOf, trainingBackend, type EvaluatorData } from './training-data.js';

/** Seed offset: calibration batches differ from the shuffling of training (the torch engine's worker uses the same). */
const CALIBRATION_EPOCH = 0xca1;
/** Setup events per training run (about; the last step always reports). */
const PROGRESS_EVENTS = 200;
/** Log lines per training run. */
const PROGRESS_LINES = 10;

export class SupernetEvaluator implements Evaluator {
  readonly name = 'supernet';
  readonly metrics = ['accuracy', 'error', 'loss', 'latency', 'latency_batch'];
  private data: EvaluatorData | undefined;
  private val: EvaluatorData['val'] | undefined;
  private calibration: Batch[] = [];
  private engine = '';
  private store: WeightStore | undefined;
  /** Sharing by slices (`share = "slices"`), else by key. */
  private slices: SliceSharing | undefined;
  private ready = false;
  /** What setup did: trained (and saved to `file`) or loaded from it. */
  outcome: { readonly how: 'trained' | 'loaded'; readonly file: string; readonly steps: number; readonly seconds: number } | undefined;

  constructor(
    private readonly space: ArchitectureSpace,
    private readonly settings: Settings,
    private readonly context: EvaluatorContext,
  ) {}

  private num(name: string): number {
    return Number(this.settings[name]);
  }

  /** The tensors shared by all paths (tests read it). */
  get weights(): WeightStore | undefined {
    return this.store;
  }

  async prepare(signal: AbortSignal, progress?: (p: SetupProgress) => void): Promise<void> {
    if (this.ready) return;
    if (this.sliced && this.num('calibration') <= 0) {
      throw new SearchSetupError('`share = "slices"` shares no batch-norm statistics: give `calibration` batches to recompute them (e.g. 20)');
    }
    this.engine = (await trainingBackend(this.context.log)).tfBackend;
    const seed = this.num('seed');
    const batch = this.num('batch');
    this.data ??= openEvaluatorData(
      { data: String(this.settings['data']), seed, valFraction: this.num('val_fraction'), images: this.num('images'), withTest: false },
      this.space.def.name,
      spaceShape(this.space),
    );
    const data = this.data;
    this.val = subsetOf(data.val, this.num('val_images'), seed);
    this.calibration = await calibrationBatches(data, this.num('calibration'), batch, seed);
    const constraints = (this.context.constraints ?? []).filter((c) => COST_METRICS.has(c.metric));
    const fingerprint = supernetFingerprint(this.space, this.settings, constraints);
    const folder = typeof this.settings['cache'] === 'string' && this.settings['cache'] !== '' ? this.settings['cache'] : defaultSupernetCache();
    const file = supernetFile(folder, this.space, fingerprint);
    this.store?.dispose();
    const store = (this.store = new WeightStore());
    this.slices = this.sliced ? new SliceSharing(store) : undefined;
    const log = this.context.log;

    const saved = loadSaved(file, fingerprint);
    if (saved) {
      store.load(saved.tensors);
      const steps = Number(saved.metadata['steps']);
      const seconds = Number(saved.metadata['seconds']);
      this.outcome = { how: 'loaded', file, steps, seconds };
      log(`supernet of ${this.space.def.name}: loaded from ${file} (${store.size} tensors, trained ${steps} steps); not trained again`);
      progress?.({ phase: 'loaded', step: steps, steps, seconds: 0, file });
      this.adviseSlices();
      this.ready = true;
      return;
    }

    const drawer = pathDrawer(this.space, constraints, seed, (arch) => this.path(arch));
    const unbuildable = drawer.unbuildable;
    const epochs = this.num('epochs');
    log(
      `supernet of ${this.space.def.name}: training ${epochs} epoch${epochs === 1 ? '' : 's'} on ${data.train.length} images (${data.train.description}), one ${constraints.length ? 'feasible ' : ''}path drawn uniformly per batch of ${batch}; it will be saved to ${file}`,
    );
    let lastEvent = 0;
    let lastLine = 0;
    let r: Awaited<ReturnType<typeof trainSupernet>>;
    try {
      r = await trainSupernet(store, data, {
        epochs,
        batchSize: batch,
        lr: this.num('lr'),
        momentum: this.num('momentum'),
        weightDecay: this.num('weight_decay'),
        seed,
        augment: this.settings['augment'] === true,
        signal,
        nextPath: () => drawer.next(),
        slices: this.slices,
        onProgress: (p) => {
          const last = p.step === p.steps;
          if (last || p.step - lastEvent >= Math.max(1, Math.floor(p.steps / PROGRESS_EVENTS))) {
            lastEvent = p.step;
            progress?.({
              phase: 'train',
              step: p.step,
              steps: p.steps,
              epoch: p.epoch,
              epochs: p.epochs,
              loss: p.loss,
              accuracy: p.accuracy,
              paths: p.paths,
              seconds: p.seconds,
            });
          }
          if (last || p.step - lastLine >= Math.max(1, Math.floor(p.steps / PROGRESS_LINES))) {
            lastLine = p.step;
            log(
              `supernet: step ${p.step}/${p.steps} (epoch ${p.epoch}/${p.epochs}), loss ${p.loss.toFixed(3)}, accuracy ${(100 * p.accuracy).toFixed(1)}%, ${p.paths} paths, ${p.tensors} tensors, ${p.seconds.toFixed(0)} s`,
            );
          }
        },
      });
    } catch (e) {
      if (e instanceof TrainingDivergedError) throw new SearchSetupError(`the supernet's training diverged: ${e.message}`);
      throw e;
    }
    if (unbuildable.size) log(`supernet: ${unbuildable.size} paths drawn could not be built and were not trained (${[...unbuildable.values()][0]})`);
    if (r.cancelled) {
      log('supernet: training cancelled; nothing saved');
      return;
    }
    store.dropMomenta();
    const seconds = Math.round(r.seconds * 10) / 10;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeSafetensorsFile(file, store.tensors(), {
        format: SUPERNET_FORMAT,
        fingerprint,
        space: this.space.def.name,
        settings: JSON.stringify(this.settings),
        steps: String(r.steps),
        paths: String(r.paths),
        seconds: String(seconds),
      });
      log(`supernet: trained in ${seconds} s (${r.steps} steps, ${r.paths} distinct paths, ${store.size} tensors); saved to ${file}`);
    } catch (e) {
      // The search can go on with the weights in memory; a later one trains again.
      log(`supernet: trained in ${seconds} s but could not be saved to ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.outcome = { how: 'trained', file, steps: r.steps, seconds };
    this.adviseSlices();
    progress?.({ phase: 'trained', step: r.steps, steps: r.steps, seconds, file, paths: r.paths });
    this.ready = true;
  }

  /** Says when ops hold a tensor per shape, which `share = "slices"` would train as one. */
  private adviseSlices(): void {
    const split = splitOps(this.store!);
    if (split === 0) return;
    this.context.log(
      `supernet: ${split} ops have a tensor per shape (width or kernel choices), each trained on a fraction of the batches; share = "slices" trains them as one (docs/benchmarks.md, "Supernet ranking")`,
    );
  }

  /** A path of the space as the supernet trains it. */
  private path(arch: Arch): SupernetPath {
    const c = new LazyCandidate(this.space, arch, arch.encoding, this.space.costs(arch));
    const spec = candidateSpec(this.space, c, this.data, this.num('batch'), this.engine);
    return { id: arch.encoding, spec, keys: sharedWeightKeys(c.elaborate(), spec, c.decisions, this.sliced) };
  }

  private get sliced(): boolean {
    return this.settings['share'] === 'slices';
  }

  async evaluate(c: Candidate, options: EvaluateOptions): Promise<Evaluation> {
    await this.prepare(options.signal);
    if (!this.ready) throw new Error('cancelled');
    const store = this.store!;
    const batch = this.num('batch');
    const spec = candidateSpec(this.space, c, this.data, batch, this.engine);
    const keys = sharedWeightKeys(c.elaborate(), spec, c.decisions, this.sliced);
    const untrained = [...keys.entries()].filter(([name, k]) => /\.(weight|bias)$/.test(name) && !store.has(k)).length;
    const model = buildModel(spec, { seed: this.num('seed'), shared: this.slices ? undefined : store.sharedFor(keys) });
    try {
      if (this.slices) this.slices.gather(model, this.slices.slots(model, keys));
      if (this.calibration.length) recalibrateBatchNorm(model, this.calibration);
      const r = await evaluateModel(model, this.val!, this.data!.stats, 2 * batch, options.signal);
      if (!r) throw new Error('cancelled');
      const metrics: Record<string, number> = { accuracy: percent(r.acc), error: percent(1 - r.acc), loss: r.loss };
      const wanted = this.context.wanted;
      if (wanted.has('latency')) metrics['latency'] = cachedLatency(this.engine, spec, model, { batch: 1 });
      if (wanted.has('latency_batch')) metrics['latency_batch'] = cachedLatency(this.engine, spec, model, { batch: this.num('latency_batch') });
      // A path the training never drew may hold tensors no batch trained (fresh initial values).
      if (untrained > 0) metrics['untrained_tensors'] = untrained;
      return { metrics };
    } finally {
      model.dispose();
    }
  }

  close(): void {
    this.store?.dispose();
    this.store = undefined;
    this.ready = false;
  }
}

/** Ops (keys less their shape) that hold tensors of several shapes: what `share = "slices"` would merge. */
function splitOps(store: WeightStore): number {
  const shapes = new Map<string, number>();
  for (const k of store.keys()) {
    if (!/\.weight\|/.test(k)) continue;
    const op = k.slice(0, k.lastIndexOf('|'));
    shapes.set(op, (shapes.get(op) ?? 0) + 1);
  }
  return [...shapes.values()].filter((n) => n > 1).length;
}

/** The training batches every candidate's batch norms are recalibrated on: the same for all (a fixed shuffle). */
async function calibrationBatches(data: EvaluatorData, count: number, batchSize: number, seed: number): Promise<Batch[]> {
  const out: Batch[] = [];
  if (count <= 0) return out;
  for await (const b of streamBatches(data.train, {
    batchSize,
    stats: data.stats,
    shuffle: true,
    seed,
    epoch: CALIBRATION_EPOCH,
    dropLast: data.train.length > batchSize,
  })) {
    out.push(b);
    if (out.length >= count) break;
  }
  return out;
}

/** A fraction as a percentage without the float noise of the product. */
function percent(x: number): number {
  return Math.round(x * 1e11) / 1e9;
}
