/**
 * The `fake` evaluator: deterministic numbers shaped like training results, for tests,
 * benchmarks and demos of spaces nobody can train here (detection). Accuracy rises with the
 * architecture's MACs (saturating at 95%, half-way at a typical architecture's MACs)
 * plus a per-architecture offset from a hash of its encoding; latency is MACs at 10 GMAC/s
 * plus 0.5 ms. Nothing about it predicts real accuracy.
 */
import { Rng, hash64 } from '../../util/random.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { Candidate, EvaluateOptions, Evaluation, Evaluator, Settings } from '../types.js';

export class FakeEvaluator implements Evaluator {
  readonly name = 'fake';
  readonly metrics = ['accuracy', 'error', 'loss', 'latency'];
  /** Fidelities in epochs: lower ones see a proportionally lower accuracy. */
  readonly fidelities = [1, 3, 9, 27];
  private readonly scale: number;
  private readonly noise: number;
  private readonly delay: number;
  private readonly fail: number;

  constructor(space: ArchitectureSpace, settings: Settings) {
    // Half-way at the median MACs of 15 seeded random architectures: spread over the space's range.
    const rng = new Rng(0xfa4e);
    const macs = Array.from({ length: 15 }, () => space.costs(space.sample(rng)).macs).sort((a, b) => a - b);
    this.scale = Math.max(1, macs[7]!);
    this.noise = Number(settings['noise'] ?? 1);
    this.delay = Number(settings['delay'] ?? 0);
    this.fail = Number(settings['fail'] ?? 0);
  }

  async evaluate(c: Candidate, options: EvaluateOptions): Promise<Evaluation> {
    if (this.delay > 0) await sleep(this.delay, options.signal);
    const h = hash64(c.arch.encoding);
    const u = parseInt(h.slice(0, 8), 16) / 2 ** 32;
    const v = parseInt(h.slice(8), 16) / 2 ** 32;
    if (v < this.fail) throw new Error(`fake failure of ${c.id} (deterministic: fail = ${this.fail})`);
    const epochs = options.fidelity ?? 27;
    const full = 50 + 45 * (1 - Math.exp(-(Math.LN2 * c.costs.macs) / this.scale)) + this.noise * (2 * u - 1);
    const accuracy = Math.min(99.9, Math.max(0.1, full * (1 - 0.3 * (1 - epochs / 27))));
    return {
      metrics: { accuracy, error: 100 - accuracy, loss: -Math.log(accuracy / 100), latency: 0.5 + c.costs.macs / 1e7 },
      fidelity: epochs,
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
