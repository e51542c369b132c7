import "nb201"

/** The default search (`nas search FILE` runs the first; `--search NAME` another): regularized
 * evolution with a zero-cost warm-up on the NAS-Bench-201 space, scored by the benchmark's
 * tables (shipped inside the product) instead of training. docs/benchmarks.md has the figures. */
search NB201WarmEvolution {
  # The benchmark's protocol: the search sees the 12-epoch CIFAR-10 accuracy (one seed), the
  # chosen cell is reported with its 200-epoch test accuracy (mean over seeds); 100 queries.
  # Regularized evolution (Real et al., AAAI 2019) with a zero-cost warm-up (Abdelfattah et al.,
  # ICLR 2021): before spending any query it ranks 3,000 random cells by the cost model's MACs,
  # which is free, and starts from the 64 largest. What it exploits: on this benchmark larger
  # cells train to higher 200-epoch accuracy, and the 12-epoch proxy underrates them (short
  # training favours cells that converge fast), so starting among large cells corrects the
  # proxy's bias. It is a prior, not a peek at the table.
  space NB201
  strategy regularized_evolution(population = 64, sample = 3, warmup = 3000, proxy = "macs")
  maximize accuracy
  evaluator benchmark(table = "nb201", dataset = "cifar10", fitness = "acc12", report = "acc200")
  budget 100
  seed 0
}

/** Regularized evolution as the benchmark paper runs it: population 10, tournaments of 3. */
search NB201Evolution {
  space NB201
  strategy regularized_evolution(population = 10, sample = 3)
  maximize accuracy
  evaluator benchmark(table = "nb201", dataset = "cifar10")
  budget 100
  seed 0
}

/** Random search: 100 uniform samples. */
search NB201Random {
  space NB201
  strategy random
  maximize accuracy
  evaluator benchmark(dataset = "cifar10")
  budget 100
  seed 0
}

/** Accuracy against MACs: NSGA-II on the 200-epoch accuracy itself, 300 queries; the
 * hypervolume's reference point is 90 % accuracy and the largest cell's MACs. */
search NB201Pareto {
  # Each evaluation picks, of 8 bred offspring, the one whose predicted hypervolume gain is
  # largest (MACs exact from the cost model, accuracy from a ridge model of the trials so far);
  # the first population is spread over the MACs range.
  space NB201
  strategy nsga2(population = 20, screen = 8, init = "spread", reference = [90, 220119680])
  maximize accuracy
  minimize macs
  evaluator benchmark(dataset = "cifar10", fitness = "acc200")
  budget 300
  seed 0
}

/** The same with textbook NSGA-II (random first population, no screening). */
search NB201ParetoTextbook {
  space NB201
  strategy nsga2(population = 20, reference = [90, 220119680])
  maximize accuracy
  minimize macs
  evaluator benchmark(dataset = "cifar10", fitness = "acc200")
  budget 300
  seed 0
}

/** The baseline of the two above: 300 random cells, the front of what they found. */
search NB201ParetoRandom {
  space NB201
  strategy random(reference = [90, 220119680])
  maximize accuracy
  minimize macs
  evaluator benchmark(dataset = "cifar10", fitness = "acc200")
  budget 300
  seed 0
}
