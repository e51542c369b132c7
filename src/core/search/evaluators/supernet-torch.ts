/**
 * The `supernet` evaluator on the PyTorch engine (`engine = "torch"`, docs/adr/0025): SPOS
 * (Guo et al. 2020, "Single Path One-Shot Neural Architecture Search with Uniform Sampling")
 * as supernet.ts does it on tfjs, with the weights held by one worker process
 * (python/nas_torch_supernet.py). The host keeps what decides the result: the data and its
 * split, the path of every batch (drawn here, the same sequence as the tfjs engine's for the
 * same seed), each path's module (`nas export --to pytorch`) and the store key of each of its
 * weights (sharedWeightKeys); the worker runs each path on views of the store's tensors.
 *
 * The trained supernet goes to the same cache file as the tfjs engine's (same fingerprint,
 * keys, layouts and metadata, plus `engine`), so either engine loads the other's. A worker
 * that dies while candidates are scored fails that trial; the next one starts a fresh worker
 * that reloads the saved supernet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportPytorch, ExportError } from '../../export/pytorch/index.js';
import { TorchWorker, writeDataPack } from '../../torch/index.js';
import type { TorchJobEnd, TorchJobOptions } from '../../torch/index.js';
import { countBatches } from '../../train/data/pipeline.js';
import { sharedWeightKeys } from '../../train/supernet/weight-store.js';
import type { TorchDataPack, TorchSupernetPath, TorchSupernetRequest } from '../../../protocol/torch-worker.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import { SearchSetupError } from '../feasible.js';
import { LazyCandidate } from '../runner.js';
import type { Arch, Candidate, EvaluateOptions, Evaluation, Evaluator, EvaluatorContext, Settings, SetupProgress, TorchRuntime } from '../types.js';
import { COST_METRICS } from '../vocabulary.js';
import { defaultSupernetCache, loadSaved, SUPERNET_FORMAT, supernetFile, supernetFingerprint } from './supernet-cache.js';
import { pathDrawer } from './supernet-paths.js';
import { candidateSpec, openEvaluatorData, percent, spaceShape, subsetOf, type EvaluatorData } from './training-data.js';

/** A worker that sends nothing for this long (progress comes every half second) has hung: it is killed. */
const STALL_MS = 15 * 60_000;
/** A fresh worker that has not said `ready` by then (a Python that hangs importing torch) is killed. */
const START_TIMEOUT_MS = 120_000;
/** Log lines per training run. */
const PROGRESS_LINES = 10;
/** A supernet request without its id (the worker's job gives it one). */
type SupernetJob = TorchSupernetRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export class TorchSupernetEvaluator implements Evaluator {
  readonly name = 'supernet';
  readonly metrics = ['accuracy', 'error', 'loss', 'latency', 'latency_batch'];
  readonly notes: string[];
  private readonly runtime: TorchRuntime;
  private data: EvaluatorData | undefined;
  private pack: TorchDataPack | undefined;
  private dir: string | undefined;
  private worker: TorchWorker | undefined;
  private file = '';
  private ready = false;
  /** A host that exits (a second Ctrl-C) takes its worker with it: a job would otherwise run on. */
  private readonly killWorker = (): void => this.worker?.kill();
  /** The store's name in the worker. */
  private readonly id = 'supernet';
  /** What setup did: trained (and saved to `file`) or loaded from it. */
  outcome: { readonly how: 'trained' | 'loaded'; readonly file: string; readonly steps: number; readonly seconds: number; readonly engine: string } | undefined;

  constructor(
    private readonly space: ArchitectureSpace,
    private readonly settings: Settings,
    private readonly context: EvaluatorContext,
  ) {
    if (!context.torch) throw new Error('the PyTorch supernet evaluator needs a torch runtime (the CLI resolves it)');
    this.runtime = context.torch;
    this.notes = [`engine: ${this.runtime.description}`];
  }

  private num(name: string): number {
    return Number(this.settings[name]);
  }

  private get sliced(): boolean {
    return this.settings['share'] === 'slices';
  }

  /** A job on the worker; it ends with done, cancelled or error (also when the worker dies or hangs). */
  private job(req: SupernetJob, signal: AbortSignal | undefined, onEvent?: TorchJobOptions['onEvent'], timeoutMs?: number): Promise<TorchJobEnd> {
    return this.worker!.job(req, { stallMs: STALL_MS, ...(signal ? { signal } : {}), ...(onEvent ? { onEvent } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /** A fresh worker with the store opened (from `load` when given). */
  private async startWorker(load: string | undefined, signal?: AbortSignal): Promise<void> {
    this.worker?.kill();
    const worker = (this.worker = new TorchWorker(this.runtime.python, (l) => this.context.log(`torch worker: ${l}`), this.runtime.script));
    process.off('exit', this.killWorker);
    process.on('exit', this.killWorker);
    const timer = setTimeout(() => worker.kill(), START_TIMEOUT_MS);
    const ready = await worker.hello();
    clearTimeout(timer);
    if (ready.type === 'error') throw new SearchSetupError(`the PyTorch worker did not start: ${ready.message}`);
    const slot = this.runtime.slots[0]!;
    const end = await this.job(
      {
        type: 'supernet_open',
        supernet: this.id,
        data: this.pack!,
        options: { share: this.sliced ? 'slices' : 'shapes', seed: this.num('seed'), device: slot.device, cuda_index: slot.cuda_index ?? 0 },
        ...(load ? { load } : {}),
      },
      signal,
    );
    if (end.type === 'error') throw new SearchSetupError(`the PyTorch worker cannot open the supernet: ${end.message}`);
  }

  async prepare(signal: AbortSignal, progress?: (p: SetupProgress) => void): Promise<void> {
    if (this.ready) return;
    if (this.sliced && this.num('calibration') <= 0) {
      throw new SearchSetupError('`share = "slices"` shares no batch-norm statistics: give `calibration` batches to recompute them (e.g. 20)');
    }
    const seed = this.num('seed');
    this.data ??= openEvaluatorData(
      { data: String(this.settings['data']), seed, valFraction: this.num('val_fraction'), images: this.num('images'), withTest: false },
      this.space.def.name,
      spaceShape(this.space),
    );
    const data = this.data;
    const constraints = (this.context.constraints ?? []).filter((c) => COST_METRICS.has(c.metric));
    const fingerprint = supernetFingerprint(this.space, this.settings, constraints);
    const folder = typeof this.settings['cache'] === 'string' && this.settings['cache'] !== '' ? this.settings['cache'] : defaultSupernetCache();
    const file = (this.file = supernetFile(folder, this.space, fingerprint));
    const log = this.context.log;
    if (!this.pack) {
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-supernet-torch-'));
      // The scoring split is the validation subset every candidate is scored on (val_images).
      this.pack = writeDataPack(path.join(this.dir, 'data.safetensors'), { ...data, val: subsetOf(data.val, this.num('val_images'), seed) });
    }

    const saved = loadSaved(file, fingerprint);
    if (saved) {
      await this.startWorker(file, signal);
      const steps = Number(saved.metadata['steps']);
      const seconds = Number(saved.metadata['seconds']);
      const engine = saved.metadata['engine'] ?? 'tfjs';
      this.outcome = { how: 'loaded', file, steps, seconds, engine };
      log(
        `supernet of ${this.space.def.name}: loaded from ${file} (${saved.tensors.size} tensors, trained ${steps} steps on the ${engine} engine); not trained again`,
      );
      progress?.({ phase: 'loaded', step: steps, steps, seconds: 0, file });
      this.ready = true;
      return;
    }
    await this.startWorker(undefined, signal);
    await this.train(data, constraints, file, fingerprint, signal, progress);
  }

  /** SPOS's training, one epoch per request; the next epoch's paths are drawn while the worker trains. */
  private async train(
    data: EvaluatorData,
    constraints: Parameters<typeof pathDrawer>[1],
    file: string,
    fingerprint: string,
    signal: AbortSignal,
    progress?: (p: SetupProgress) => void,
  ): Promise<void> {
    const log = this.context.log;
    const seed = this.num('seed');
    const batch = this.num('batch');
    const epochs = this.num('epochs');
    const perEpoch = countBatches(data.train.length, batch, data.train.length > batch);
    const steps = perEpoch * epochs;
    const drawer = pathDrawer(this.space, constraints, seed, (arch) => this.path(arch));
    const seen = new Set<string>();
    let held = new Set<string>();
    /** The epoch's path per batch, and the definitions the worker does not hold (it keeps the previous epoch's). */
    const drawEpoch = (): { steps: string[]; paths: TorchSupernetPath[]; ids: Set<string> } => {
      const out: string[] = [];
      const fresh = new Map<string, TorchSupernetPath>();
      for (let b = 0; b < perEpoch; b++) {
        const p = drawer.next();
        out.push(p.id);
        if (!held.has(p.id)) fresh.set(p.id, p);
      }
      held = new Set(out);
      return { steps: out, paths: [...fresh.values()], ids: held };
    };
    log(
      `supernet of ${this.space.def.name}: training ${epochs} epoch${epochs === 1 ? '' : 's'} on ${data.train.length} images (${data.train.description}) on ${this.runtime.description}, one ${constraints.length ? 'feasible ' : ''}path drawn uniformly per batch of ${batch}; it will be saved to ${file}`,
    );
    const t = data.train;
    const augment = this.settings['augment'] === true ? { crop_padding: Math.floor(Math.min(t.height, t.width) / 8), horizontal_flip: true } : undefined;
    const t0 = performance.now();
    let lastLine = 0;
    let next = drawEpoch();
    let done = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const cur = next;
      for (const id of cur.ids) seen.add(id);
      const paths = seen.size;
      const job = this.job(
        {
          type: 'supernet_train',
          supernet: this.id,
          paths: cur.paths,
          steps: cur.steps,
          options: {
            epoch,
            batch,
            lr: this.num('lr'),
            momentum: this.num('momentum'),
            weight_decay: this.num('weight_decay'),
            seed,
            ...(augment ? { augment } : {}),
            first_step: done,
            total_steps: steps,
          },
        },
        signal,
        (e) => {
          if (e.type !== 'progress') return;
          const seconds = (performance.now() - t0) / 1000;
          progress?.({ phase: 'train', step: e.step, steps, epoch, epochs, loss: e.loss, accuracy: e.acc, paths, seconds });
          if (e.step === steps || e.step - lastLine >= Math.max(1, Math.floor(steps / PROGRESS_LINES))) {
            lastLine = e.step;
            log(
              `supernet: step ${e.step}/${steps} (epoch ${epoch}/${epochs}), loss ${e.loss.toFixed(3)}, accuracy ${(100 * e.acc).toFixed(1)}%, ${paths} paths, ${e.images_per_s.toFixed(0)} images/s, ${seconds.toFixed(0)} s`,
            );
          }
        },
      );
      try {
        if (epoch < epochs) next = drawEpoch(); // while the worker trains this epoch
      } catch (e) {
        this.worker?.kill();
        await job;
        throw e;
      }
      const end = await job;
      if (end.type === 'cancelled') {
        log('supernet: training cancelled; nothing saved');
        return;
      }
      if (end.type === 'error') {
        throw new SearchSetupError(
          end.kind === 'diverged' ? `the supernet's training diverged: ${end.message}` : `the supernet's training failed on the PyTorch worker: ${end.message}`,
        );
      }
      done += perEpoch;
    }
    if (drawer.unbuildable.size) {
      log(`supernet: ${drawer.unbuildable.size} paths drawn could not be built and were not trained (${[...drawer.unbuildable.values()][0]})`);
    }
    const seconds = Math.round(((performance.now() - t0) / 1000) * 10) / 10;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const end = await this.job(
      {
        type: 'supernet_save',
        supernet: this.id,
        file,
        metadata: {
          format: SUPERNET_FORMAT,
          fingerprint,
          space: this.space.def.name,
          settings: JSON.stringify(this.settings),
          steps: String(steps),
          paths: String(seen.size),
          seconds: String(seconds),
          engine: 'torch',
        },
      },
      undefined,
    );
    if (end.type === 'done') {
      log(`supernet: trained in ${seconds} s (${steps} steps, ${seen.size} distinct paths, ${end.supernet?.tensors ?? '?'} tensors); saved to ${file}`);
    } else {
      // The search goes on with the weights in the worker; a later one trains again.
      log(`supernet: trained in ${seconds} s but could not be saved to ${file}: ${end.type === 'error' ? end.message : 'cancelled'}`);
      this.file = '';
    }
    this.outcome = { how: 'trained', file, steps, seconds, engine: 'torch' };
    progress?.({ phase: 'trained', step: steps, steps, seconds, file, paths: seen.size });
    this.ready = true;
  }

  /** A path of the space as the worker runs it: its module and the store key of each weight. */
  private path(arch: Arch): TorchSupernetPath {
    const c = new LazyCandidate(this.space, arch, arch.encoding, this.space.costs(arch));
    return this.pathOf(c);
  }

  private pathOf(c: Candidate): TorchSupernetPath {
    return torchSupernetPath(this.space, c, this.data, this.num('batch'), this.sliced);
  }

  async evaluate(c: Candidate, options: EvaluateOptions): Promise<Evaluation> {
    await this.prepare(options.signal);
    if (!this.ready) throw new Error('cancelled');
    if (!this.worker?.alive) {
      if (!this.file) throw new Error('the PyTorch worker holding the supernet has stopped, and the supernet was not saved');
      this.context.log(`supernet: a fresh PyTorch worker loads the supernet from ${this.file}`);
      try {
        await this.startWorker(this.file, options.signal);
      } catch (e) {
        // This trial fails; the next one tries a fresh worker again.
        throw new Error(e instanceof Error ? e.message : String(e));
      }
    }
    const wanted = this.context.wanted;
    const latency = [...(wanted.has('latency') ? [1] : []), ...(wanted.has('latency_batch') ? [this.num('latency_batch')] : [])];
    const batch = this.num('batch');
    const seconds = this.num('seconds') || 0;
    const end = await this.job(
      {
        type: 'supernet_score',
        supernet: this.id,
        path: this.pathOf(c),
        options: { calibration: this.num('calibration'), batch, seed: this.num('seed'), ...(latency.length ? { latency_batches: latency } : {}) },
      },
      options.signal,
      undefined,
      seconds > 0 ? seconds * 1000 : undefined,
    );
    if (end.type === 'cancelled') throw new Error('cancelled');
    if (end.type === 'error') {
      if (/timeout;/.test(end.message) && seconds > 0)
        throw new Error(`scoring ran over its time limit of ${seconds} s; the PyTorch worker was stopped (the next trial starts a fresh one)`);
      throw new Error(`PyTorch worker: ${end.message}`);
    }
    if (!end.score) throw new Error('the PyTorch worker scored the candidate without a score');
    const s = end.score;
    const metrics: Record<string, number> = { accuracy: percent(s.acc), error: percent(1 - s.acc), loss: s.loss };
    if (wanted.has('latency')) metrics['latency'] = end.latency_ms?.['1'] ?? NaN;
    if (wanted.has('latency_batch')) metrics['latency_batch'] = end.latency_ms?.[String(this.num('latency_batch'))] ?? NaN;
    // A path the training never drew may hold tensors no batch trained (fresh initial values).
    if (s.untrained > 0) metrics['untrained_tensors'] = s.untrained;
    return { metrics };
  }

  async close(): Promise<void> {
    process.off('exit', this.killWorker);
    await this.worker?.close();
    this.worker = undefined;
    this.ready = false;
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.pack = undefined;
  }
}

/** A candidate as the worker runs it: its module (`nas export --to pytorch`) and the store key of each state-dict name. */
export function torchSupernetPath(space: ArchitectureSpace, c: Candidate, data: EvaluatorData | undefined, batch: number, sliced: boolean): TorchSupernetPath {
  // Builds and fits the data (or says why not), with the names the store's keys use.
  const spec = candidateSpec(space, c, data, batch, undefined);
  const keys = sharedWeightKeys(c.elaborate(), spec, c.decisions, sliced);
  let code: string;
  try {
    code = exportPytorch(c.elaborate(), space.def, { arch: c.arch.encoding, command: 'nas search --engine torch' }).code;
  } catch (e) {
    if (e instanceof ExportError) throw new Error(`the architecture cannot be written as PyTorch: ${e.message}`);
    throw e;
  }
  return { id: c.arch.encoding, code, keys: Object.fromEntries(keys) };
}
