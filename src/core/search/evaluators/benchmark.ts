/**
 * The `benchmark` evaluator: NAS-Bench-201 (Dong & Yang, ICLR 2020) accuracies looked up
 * instead of training. The search sees the `fitness` column (12-epoch test accuracy of one
 * seed by default, the benchmark's protocol) and the chosen architecture is reported with the
 * `report` column (200-epoch test accuracy, mean over seeds). With a 200-epoch fitness the
 * 12-epoch column is its low fidelity, for successive halving.
 */
import type { ArchitectureSpace } from '../architecture-space.js';
import { Nb201Codec } from '../codecs/nb201.js';
import { nb201Table } from '../benchmarks/nb201-table.js';
import { SearchSetupError } from '../feasible.js';
import type { Candidate, Evaluation, Evaluator, Settings } from '../types.js';

/** The published cost of the benchmark's CIFAR-10 network with the all-`none` cell (its API's cost info). */
const NB201_CIFAR10_NONE = { params: 73_306, macs: 7_783_040 };

export class BenchmarkEvaluator implements Evaluator {
  readonly name = 'benchmark';
  readonly metrics = ['accuracy', 'error'];
  readonly fidelities: readonly number[] | undefined;
  readonly notes: string[] = [];
  readonly codec: Nb201Codec;
  private readonly fitness: Float64Array;
  private readonly low: Float64Array;
  private readonly report: Float64Array;
  private readonly fitnessEpochs: number;

  constructor(space: ArchitectureSpace, settings: Settings) {
    const codec = Nb201Codec.of(space);
    if (typeof codec === 'string') {
      throw new SearchSetupError(`the nb201 benchmark needs a NAS-Bench-201 cell space (as examples/nb201.nas): ${codec}`);
    }
    this.codec = codec;
    const dataset = String(settings['dataset'] ?? 'cifar10');
    const fitness = String(settings['fitness'] ?? 'acc12');
    const t = nb201Table();
    this.fitness = t.column(dataset, fitness);
    this.low = t.column(dataset, 'acc12');
    this.report = t.column(dataset, String(settings['report'] ?? 'acc200'));
    this.fitnessEpochs = fitness === 'acc12' ? 12 : 200;
    this.fidelities = this.fitnessEpochs === 12 ? undefined : [12, 200];
    if (dataset === 'cifar10') {
      const none = space.costs(codec.parse('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'));
      if (none.params !== NB201_CIFAR10_NONE.params || none.macs !== NB201_CIFAR10_NONE.macs) {
        this.notes.push(
          `the space's network differs from the benchmark's (all-none cell: ${none.params} params, ${none.macs} MACs; the benchmark's: ${NB201_CIFAR10_NONE.params}, ${NB201_CIFAR10_NONE.macs}): the accuracies are those of the benchmark's network`,
        );
      }
    }
  }

  evaluate(c: Candidate, options: { fidelity?: number }): Evaluation {
    const i = this.codec.index(c.arch);
    const low = options.fidelity !== undefined && options.fidelity < this.fitnessEpochs;
    const acc = low ? this.low[i]! : this.fitness[i]!;
    const rep = this.report[i]!;
    return {
      metrics: { accuracy: acc, error: complement(acc) },
      reported: { accuracy: rep, error: complement(rep) },
      fidelity: low ? 12 : this.fitnessEpochs,
    };
  }
}

/** 100 - accuracy without the float noise of the subtraction (the tables' values have at most 4 decimals). */
function complement(acc: number): number {
  return Math.round((100 - acc) * 1e9) / 1e9;
}
