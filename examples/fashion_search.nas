/**
 * A search that trains its candidates on real data: Fashion-MNIST (Xiao, Rasul & Vollgraf
 * 2017; `apt-get install dataset-fashion-mnist`, no download), a layer-wise space of three
 * conv-BN-ReLU layers (2,048 architectures), successive halving over training-set sizes, and
 * a baseline: the tiny CNN of `nas train` (the embedded demo) trained with the same recipe.
 * docs/benchmarks.md has the run's table.
 */

/** The embedded demo of `nas train` (src/core/train/tiny-cnn.ts) on Fashion-MNIST. */
space TinyCNN {
  input(1, 28, 28)
  conv(16, k=3) -> bn -> relu
  conv(32, k=3, stride=2) -> bn -> relu
  gap -> fc(10)
}

/** Width, kernel and stride of each of three layers. */
space FashionLayers {
  input(1, 28, 28)
  conv(choice(8, 12, 16, 24), k=choice(3, 5), stride=2) -> bn -> relu
  conv(choice(16, 24, 32, 48), k=choice(3, 5), stride=choice(1, 2)) -> bn -> relu
  conv(choice(32, 48, 64, 96), k=choice(1, 3), stride=choice(1, 2)) -> bn -> relu
  gap -> fc(10)
}

/** 20 candidates, at most the tiny CNN's MACs, trained on 1,000 then 3,000 then 9,000 images
 * (2 epochs each, the best third of each rung goes on: ASHA, Li et al. 2020); the chosen one is
 * reported with its accuracy on the 10,000 test images, which the search never sees. */
search FashionSearch {
  space FashionLayers
  strategy random(halving = 3)
  maximize accuracy
  constraint macs <= 1016384
  evaluator train(data = "fashion-mnist", fidelity = "images", fidelities = [1000, 3000, 9000], epochs = 2, batch = 64, lr = 0.1)
  budget 20
  seed 0
}

/** The baseline under the same recipe: the one architecture of TinyCNN at the full fidelity. */
search TinyCNNBaseline {
  space TinyCNN
  strategy grid
  maximize accuracy
  evaluator train(data = "fashion-mnist", fidelity = "images", fidelities = [9000], epochs = 2, batch = 64, lr = 0.1)
  budget 1
  seed 0
}

/** SPOS (Guo et al. 2020) on the same space: one supernet trained once, one uniformly drawn
 * path under the MACs bound per batch (2 epochs of the 54,000 training images), each layer's
 * widths and kernels sharing slices of one tensor (SPOS's channel search); then evolution scores
 * 100 candidates with inherited weights after recomputing their batch-norm statistics on 20
 * training batches, on 2,000 validation images. The supernet is saved in the cache and reused
 * by later runs. docs/benchmarks.md has how well it ranks architectures (Kendall tau). */
search FashionSPOS {
  space FashionLayers
  strategy evolution(population = 20, sample = 5)
  maximize accuracy
  constraint macs <= 1016384
  evaluator supernet(data = "fashion-mnist", epochs = 2, batch = 64, lr = 0.1, share = "slices", calibration = 20, val_images = 2000)
  budget 100
  seed 0
}
