import "std/blocks"

/**
 * The NAS-Bench-201 search space (Dong & Yang, "NAS-Bench-201: Extending the Scope of
 * Reproducible Neural Architecture Search", ICLR 2020), CIFAR-10 setting: 32x32 input,
 * 10 classes, C = 16, N = 5 cells per stage.
 * Reference implementation: D-X-Y/AutoDL-Projects (xautodl/models/cell_infers/tiny_network.py,
 * cells.py InferCell, cell_operations.py; ResNetBasicblock between stages).
 *
 * A cell is a DAG on 4 nodes; each of its 6 edges takes one of 5 ops, and the 15 cells of the
 * network share one genotype: 5^6 = 15,625 architectures.
 * Published: the all-`nor_conv_3x3` cell gives 1,531,546 parameters and 220.12 MMACs; the
 * all-`none` cell 73,306 parameters and 7.783 MMACs (the NAS-Bench-201 API's cost info).
 */

/** One NAS-Bench-201 edge, its options labelled with the benchmark's op names, in its order.
 * Being a block, each edge (call site) decides on its own. */
block NB201Op(C: int) {
  choice(none: zero,
         skip_connect: identity,
         nor_conv_1x1: ReLUConvBN(C, k=1),
         nor_conv_3x3: ReLUConvBN(C, k=3),
         avg_pool_3x3: avgpool(k=3, stride=1, pad=1, count_include_pad=false))
}

/** The cell: node j sums the edges from every earlier node; the last node is the output.
 * A cell's choices form one genotype shared by all its instances. */
cell NB201Cell(C: int) {
  input n0
  n1 = n0 -> NB201Op(C)
  n2 = add(n0 -> NB201Op(C), n1 -> NB201Op(C))
  n3 = add(n0 -> NB201Op(C), n1 -> NB201Op(C), n2 -> NB201Op(C))
  output n3
}

space NB201(C: int = 16, N: int = 5, classes: int = 10) {
  input(3, 32, 32)

  # stem
  conv(C, k=3) -> bn

  # three stages of N cells at 32x32, 16x16, 8x8, joined by residual reduction blocks
  NB201Cell(C) * N
  NB201ResBlock(C * 2)
  NB201Cell(C * 2) * N
  NB201ResBlock(C * 4)
  NB201Cell(C * 4) * N

  # head
  bn -> relu -> gap -> fc(classes)
}
