import "nb201"

/**
 * Regularized evolution (Real, Aggarwal, Huang & Le, "Regularized Evolution for Image
 * Classifier Architecture Search", AAAI 2019) on the NAS-Bench-201 space, scored by the
 * benchmark's CIFAR-10 accuracy table instead of training: 100 queries, seed 0, a population
 * of 10 and tournaments of 3 (small settings for a 15,625-architecture space).
 */
search NB201Evolution {
  space NB201
  strategy regularized_evolution(population = 10, sample = 3)
  maximize accuracy
  evaluator benchmark(table = "nb201", dataset = "cifar10")
  budget 100
  seed 0
}
