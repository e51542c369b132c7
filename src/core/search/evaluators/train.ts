/**
 * The `train` evaluator: each candidate is built by the model builder and trained on real data
 * (SGD with momentum, cosine schedule: src/core/train/loop.ts), then scored on held-out
 * validation images; the search optimises the validation accuracy and a chosen architecture
 * is reported with its accuracy on the dataset's test split, which the search never sees.
 *
 * Fidelities are epochs, or training images (a seeded, class-balanced subset), for successive
 * halving; every fidelity trains from scratch with its own schedule, so a result at one
 * fidelity is what a run of that length gives. Every candidate starts from the same seed.
 * A trial fails, and only that trial, when the network cannot be built, does not fit the data
 * or the memory, diverges, or runs over its time limit; the model and its tensors are freed
 * whatever happens.
 */
import { buildModel } from '../../train/model-builder/index.js';
import { cachedLatency } from '../../train/latency.js';
import { trainTrial } from '../../train/trial.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { Candidate, EvaluateOptions, Evaluation, Evaluator, EvaluatorContext, Settings } from '../types.js';
import { candidateSpec, FidelityData, percent, trainingBackend } from './training-data.js';

export class TrainEvaluator implements Evaluator {
  readonly name = 'train';
  readonly metrics = ['accuracy', 'error', 'loss', 'latency', 'latency_batch'];
  readonly fidelities: readonly number[] | undefined;
  private readonly data: FidelityData;
  private readonly full: number;
  private engine = '';

  constructor(
    private readonly space: ArchitectureSpace,
    private readonly settings: Settings,
    private readonly context: EvaluatorContext,
  ) {
    this.data = new FidelityData(settings);
    this.fidelities = this.data.fidelities;
    this.full = this.data.full;
  }

  private num(name: string): number {
    return Number(this.settings[name]);
  }

  async prepare(): Promise<void> {
    if (this.engine) return;
    this.engine = (await trainingBackend(this.context.log)).tfBackend;
    this.data.open(this.space);
  }

  async evaluate(c: Candidate, options: EvaluateOptions): Promise<Evaluation> {
    await this.prepare();
    const fidelity = options.fidelity ?? this.full;
    const data = this.data.at(fidelity);
    const batch = this.num('batch');
    const spec = candidateSpec(this.space, c, data, batch, this.engine);
    const model = buildModel(spec, { seed: this.num('seed') });
    try {
      const last = fidelity >= this.full;
      const r = await trainTrial(model, data, {
        epochs: this.data.epochsAt(fidelity),
        batchSize: batch,
        lr: this.num('lr'),
        momentum: this.num('momentum'),
        weightDecay: this.num('weight_decay'),
        seed: this.num('seed'),
        augment: this.settings['augment'] === true,
        patience: this.num('patience'),
        seconds: this.num('seconds'),
        signal: options.signal,
        test: last ? data.test : undefined,
      });
      const e = r.epochs[r.epochs.length - 1]!;
      const metrics: Record<string, number> = { accuracy: percent(e.valAcc), error: percent(1 - e.valAcc), loss: e.valLoss };
      const wanted = this.context.wanted;
      if (wanted.has('latency')) metrics['latency'] = cachedLatency(this.engine, spec, model, { batch: 1 });
      if (wanted.has('latency_batch')) metrics['latency_batch'] = cachedLatency(this.engine, spec, model, { batch: this.num('latency_batch') });
      const evaluation: { metrics: Record<string, number>; fidelity: number; reported?: Record<string, number>; epochs: Evaluation['epochs'] } = {
        metrics,
        fidelity,
        epochs: r.epochs.map((x) => ({ epoch: x.epoch, accuracy: percent(x.valAcc), loss: x.valLoss })),
      };
      if (r.test) evaluation.reported = { ...metrics, accuracy: percent(r.test.acc), error: percent(1 - r.test.acc), loss: r.test.loss };
      return evaluation;
    } finally {
      model.dispose();
    }
  }
}
