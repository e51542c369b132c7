/**
 * The `train` evaluator on the PyTorch engine (`engine = "torch"`, docs/adr/0020): the same
 * data, fidelities, seed, schedule and metrics as train.ts, each candidate exported as `nas
 * export --to pytorch` writes it and trained by a worker of a pool (src/core/torch/pool.ts,
 * python/nas_torch_worker.py), one candidate per slot at once. The data of each fidelity are
 * written once as a pack in a temporary folder, removed by `close`.
 *
 * A trial fails, and only that trial, when the network cannot be built or does not fit the
 * data, when its worker runs out of memory, raises, crashes, or runs past `seconds` (then it
 * is killed, and the slot gets a fresh worker for the next trial).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPytorch, ExportError } from '../../export/pytorch/index.js';
import { TorchWorkerPool, writeDataPack } from '../../torch/index.js';
import type { TorchDataPack, TorchEpochEvent, TorchErrorEvent, TorchTrainOptions } from '../../../protocol/torch-worker.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { Candidate, EvaluateOptions, Evaluation, Evaluator, EvaluatorContext, Settings, TorchRuntime } from '../types.js';
import { candidateSpec, FidelityData, percent, type EvaluatorData } from './training-data.js';

/**
 * A trial whose worker sends nothing for this long (progress comes every half second while it
 * trains) has hung, whatever `seconds` says: its worker is killed and the trial fails.
 */
const STALL_MS = 15 * 60_000;

export class TorchTrainEvaluator implements Evaluator {
  readonly name = 'train';
  readonly metrics = ['accuracy', 'error', 'loss', 'latency', 'latency_batch'];
  readonly fidelities: readonly number[] | undefined;
  readonly concurrency: number;
  readonly notes: string[];
  private readonly data: FidelityData;
  private readonly pool: TorchWorkerPool;
  private readonly runtime: TorchRuntime;
  private dir: string | undefined;
  private readonly packs = new Map<EvaluatorData, TorchDataPack>();

  constructor(
    private readonly space: ArchitectureSpace,
    private readonly settings: Settings,
    private readonly context: EvaluatorContext,
  ) {
    if (!context.torch) throw new Error('the PyTorch train evaluator needs a torch runtime (the CLI resolves it)');
    this.runtime = context.torch;
    this.data = new FidelityData(settings);
    this.fidelities = this.data.fidelities;
    this.concurrency = this.runtime.slots.length;
    this.pool = new TorchWorkerPool(this.runtime.python, this.runtime.slots, (line) => context.log(line), this.runtime.script);
    this.notes = [`engine: ${this.runtime.description}`];
  }

  private num(name: string): number {
    return Number(this.settings[name]);
  }

  async prepare(): Promise<void> {
    if (this.dir) return;
    this.data.open(this.space);
    this.dir = mkdtempSync(join(tmpdir(), 'nas-search-torch-'));
  }

  /**
   * The pack of one fidelity's data, written on first use; the full data's carries the test split
   * (an epoch fidelity below the full one trains on the same data, and its pack is reused there).
   */
  private packOf(data: EvaluatorData): TorchDataPack {
    let pack = this.packs.get(data);
    if (!pack) {
      const full = data === this.data.at(this.data.full);
      pack = writeDataPack(join(this.dir!, `data-${this.packs.size}.safetensors`), data, full ? data.test : undefined);
      this.packs.set(data, pack);
    }
    return pack;
  }

  async evaluate(c: Candidate, options: EvaluateOptions): Promise<Evaluation> {
    await this.prepare();
    const fidelity = options.fidelity ?? this.data.full;
    const last = fidelity >= this.data.full;
    const data = this.data.at(fidelity);
    const batch = this.num('batch');
    candidateSpec(this.space, c, data, batch, undefined); // builds and fits the data, or says why not
    let code: string;
    try {
      code = exportPytorch(c.elaborate(), this.space.def, { arch: c.arch.encoding, command: 'nas search --engine torch' }).code;
    } catch (e) {
      if (e instanceof ExportError) throw new Error(`the architecture cannot be written as PyTorch: ${e.message}`);
      throw e;
    }
    const wanted = this.context.wanted;
    const latency = [...(wanted.has('latency') ? [1] : []), ...(wanted.has('latency_batch') ? [this.num('latency_batch')] : [])];
    const t = data.train;
    const cpuSlots = this.runtime.slots.filter((s) => s.device === 'cpu').length;
    const opts: TorchTrainOptions = {
      epochs: this.data.epochsAt(fidelity),
      batch,
      lr: this.num('lr'),
      momentum: this.num('momentum'),
      weight_decay: this.num('weight_decay'),
      label_smoothing: 0,
      warmup_epochs: 0,
      seed: this.num('seed'),
      // The training engine's augmentation (src/core/train/loop.ts): pad an eighth of the side.
      ...(this.settings['augment'] === true ? { augment: { crop_padding: Math.floor(Math.min(t.height, t.width) / 8), horizontal_flip: true } } : {}),
      device: 'auto', // the pool sets each slot's device
      patience: this.num('patience'),
      evaluate_test: last && !!data.test,
      amp: this.settings['amp'] === true,
      channels_last: this.settings['channels_last'] === true,
      // Several CPU workers share the cores instead of each taking all of them; one keeps torch's
      // own default (its physical cores: more threads than that, on a busy machine, run slower).
      ...(cpuSlots > 1 ? { threads: Math.max(1, Math.floor(availableParallelism() / cpuSlots)) } : {}),
      ...(latency.length ? { latency_batches: latency } : {}),
    };
    const seconds = this.num('seconds');
    const epochs: TorchEpochEvent[] = [];
    const end = await this.pool.run(
      { model: { code, name: `${this.space.def.name}_${c.id.slice(0, 8)}` }, data: this.packOf(data), options: opts },
      {
        signal: options.signal,
        ...(seconds > 0 ? { timeoutMs: seconds * 1000 } : {}),
        stallMs: STALL_MS,
        onEvent: (e) => {
          if (e.type === 'epoch') epochs.push(e);
        },
      },
    );
    if (end.type === 'cancelled') throw new Error('cancelled');
    if (end.type === 'error') throw new Error(this.failure(end, batch, seconds, end.slot));
    const epoch = epochs.at(-1);
    if (!epoch) throw new Error('the PyTorch worker finished without a completed epoch');
    const metrics: Record<string, number> = { accuracy: percent(epoch.val_acc), error: percent(1 - epoch.val_acc), loss: epoch.val_loss };
    if (wanted.has('latency')) metrics['latency'] = end.latency_ms?.['1'] ?? NaN;
    if (wanted.has('latency_batch')) metrics['latency_batch'] = end.latency_ms?.[String(this.num('latency_batch'))] ?? NaN;
    const evaluation: { metrics: Record<string, number>; fidelity: number; reported?: Record<string, number>; epochs: Evaluation['epochs'] } = {
      metrics,
      fidelity,
      // The validation curve, as the tfjs evaluator records it.
      epochs: epochs.map((x) => ({ epoch: x.epoch, accuracy: percent(x.val_acc), loss: x.val_loss })),
    };
    if (end.test) evaluation.reported = { ...metrics, accuracy: percent(end.test.acc), error: percent(1 - end.test.acc), loss: end.test.loss };
    return evaluation;
  }

  /** The trial's error in words: what failed, where, and what to try. */
  private failure(e: TorchErrorEvent, batch: number, seconds: number, slot: number): string {
    const s = this.runtime.slots[slot]!;
    const where = s.device === 'cuda' ? `cuda:${s.cuda_index ?? 0}` : 'cpu';
    if (e.kind === 'oom') return `out of memory on ${where} at batch ${batch} (a smaller \`batch\`, or fewer \`slots\` per GPU): ${e.message}`;
    if (e.kind === 'diverged') return e.message;
    if (/timeout;/.test(e.message) && seconds > 0) return `the trial ran over its time limit of ${seconds} s on ${where}; its worker was stopped`;
    return `PyTorch worker on ${where}: ${e.message}`;
  }

  async close(): Promise<void> {
    await this.pool.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.packs.clear();
  }
}
