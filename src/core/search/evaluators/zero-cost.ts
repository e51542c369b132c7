/**
 * The `zero_cost` evaluator: each candidate scored at initialisation by a zero-cost proxy
 * (src/core/train/proxies: synflow, NASWOT, grad_norm, snip) from one fixed minibatch, in a
 * fraction of a second; the metric is `score` (larger is better). Useful to rank or screen a
 * space before training anything (Abdelfattah et al., "Zero-Cost Proxies for Lightweight
 * NAS", ICLR 2021). Every candidate sees the same initialisation seed and the same minibatch.
 */
import { streamBatches } from '../../train/data/index.js';
import { cachedLatency } from '../../train/latency.js';
import { buildModel } from '../../train/model-builder/index.js';
import { scoreProxy, type ProxyBatch, type ProxyName } from '../../train/proxies/index.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { Candidate, Evaluation, Evaluator, EvaluatorContext, Settings } from '../types.js';
import { candidateSpec, openEvaluatorData, spaceShape, trainingBackend, type EvaluatorData } from './training-data.js';

/** Training images opened at least (a train/validation split of a handful fails), of which one minibatch is used. */
const MIN_IMAGES = 100;

export class ZeroCostEvaluator implements Evaluator {
  readonly name = 'zero_cost';
  readonly metrics = ['score', 'latency', 'latency_batch'];
  readonly proxy: ProxyName;
  private engine = '';
  private data: EvaluatorData | undefined;
  private batch: ProxyBatch | undefined;
  private prepared = false;

  constructor(
    private readonly space: ArchitectureSpace,
    private readonly settings: Settings,
    private readonly context: EvaluatorContext,
  ) {
    this.proxy = String(settings['proxy'] ?? 'synflow') as ProxyName;
  }

  private num(name: string, fallback: number): number {
    const v = this.settings[name];
    return typeof v === 'number' ? v : fallback;
  }

  async prepare(): Promise<void> {
    if (this.prepared) return;
    this.engine = (await trainingBackend(this.context.log)).tfBackend;
    const size = this.num('batch', 64);
    const seed = this.num('seed', 0);
    if (this.proxy !== 'synflow') {
      const data = openEvaluatorData(
        { data: String(this.settings['data'] ?? 'shapes10'), seed, valFraction: 0.1, images: Math.max(size, MIN_IMAGES), withTest: false },
        this.space.def.name,
        spaceShape(this.space),
      );
      for await (const b of streamBatches(data.train, { batchSize: size, stats: data.stats, shuffle: true, seed, epoch: 0 })) {
        this.batch = b;
        break;
      }
      this.data = data;
    }
    this.prepared = true;
  }

  /** The minibatch the proxies see (undefined for synflow, which needs none). */
  get minibatch(): ProxyBatch | undefined {
    return this.batch;
  }

  async evaluate(c: Candidate): Promise<Evaluation> {
    await this.prepare();
    const size = this.num('batch', 64);
    // synflow runs at batch 1 on no data: check the network against the space's own input only.
    const spec = candidateSpec(this.space, c, this.data, this.proxy === 'synflow' ? 1 : size, this.engine);
    const metrics: Record<string, number> = { score: scoreProxy(this.proxy, spec, { seed: this.num('seed', 0), batch: this.batch }) };
    const wanted = this.context.wanted;
    if (wanted.has('latency') || wanted.has('latency_batch')) {
      const model = buildModel(spec, { seed: 0 });
      try {
        if (wanted.has('latency')) metrics['latency'] = cachedLatency(this.engine, spec, model, { batch: 1 });
        if (wanted.has('latency_batch')) metrics['latency_batch'] = cachedLatency(this.engine, spec, model, { batch: this.num('latency_batch', 32) });
      } finally {
        model.dispose();
      }
    }
    return { metrics };
  }
}
