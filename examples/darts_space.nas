import "std/blocks"

/**
 * The DARTS search space (Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search",
 * ICLR 2019), CIFAR-10 search setting: 8 cells with C = 16 initial channels, reduction cells at
 * 1/3 and 2/3 of the depth (cells 2 and 5), a 3x3 stem to 3C channels.
 * Reference implementation: quark0/darts (cnn/operations.py, model_search.py, model.py).
 *
 * A cell reads the outputs of the two previous cells, s0 = h(i-2) and s1 = h(i-1), and has 4
 * intermediate nodes; node j sums two ops applied to two distinct earlier states (`choose`),
 * and the cell's output concatenates the 4 nodes. The normal cells share one genotype and the
 * reduction cells another (as the discretized DARTS genotype): per cell type
 * prod_j C(j+2, 2) * 8^2 = 1 * 3 * 6 * 10 * 64^4 = 180 * 8^8 choices, (180 * 8^8)^2 in all.
 * The ops are those of the derived (stand-alone) network; the search-time mixed op adds an
 * affine-free BN after the poolings.
 */

/** The 8 DARTS ops (PRIMITIVES), in the reference order and by its names. `skip_connect`
 * with stride 2 is a FactorizedReduce; `none` is the zero op. */
block DartsOp(C: int, stride: int = 1) {
  choice(none: zero(stride=stride),
         max_pool_3x3: maxpool(k=3, stride=stride, pad=1),
         avg_pool_3x3: avgpool(k=3, stride=stride, pad=1, count_include_pad=false),
         skip_connect: if stride == 1 then identity else FactorizedReduce(C),
         sep_conv_3x3: SepConv(C, k=3, stride=stride),
         sep_conv_5x5: SepConv(C, k=5, stride=stride),
         dil_conv_3x3: DilConv(C, k=3, stride=stride),
         dil_conv_5x5: DilConv(C, k=5, stride=stride))
}

/** An intermediate node: the sum of two ops on its two inputs. An edge from a larger state
 * (a cell input, in a reduction cell) carries stride 2 down to the node's resolution `h`. */
block DartsNode(C: int, h: int) {
  input a, b
  add(a -> DartsOp(C, stride=a.h // h), b -> DartsOp(C, stride=b.h // h))
}

/** The preprocessing of a cell's inputs to C channels: 1x1 ReLU-conv-BN, or a
 * FactorizedReduce for s0 when the previous cell reduced (s0 is then twice as large as s1). */
block Preprocess(C: int, h: int) {
  input x
  output if x.h > h then x -> FactorizedReduce(C) else x -> ReLUConvBN(C, k=1)
}

cell NormalCell(C: int) {
  input s0, s1
  p0 = s0 -> Preprocess(C, s1.h)
  p1 = s1 -> Preprocess(C, s1.h)
  n0 = choose(2, [p0, p1]) -> DartsNode(C, s1.h)
  n1 = choose(2, [p0, p1, n0]) -> DartsNode(C, s1.h)
  n2 = choose(2, [p0, p1, n0, n1]) -> DartsNode(C, s1.h)
  n3 = choose(2, [p0, p1, n0, n1, n2]) -> DartsNode(C, s1.h)
  output concat(n0, n1, n2, n3)
}

/** The reduction cell: the same DAG, its nodes at half the resolution (edges from p0 and p1
 * have stride 2). */
cell ReductionCell(C: int) {
  input s0, s1
  p0 = s0 -> Preprocess(C, s1.h)
  p1 = s1 -> Preprocess(C, s1.h)
  h = s1.h // 2
  n0 = choose(2, [p0, p1]) -> DartsNode(C, h)
  n1 = choose(2, [p0, p1, n0]) -> DartsNode(C, h)
  n2 = choose(2, [p0, p1, n0, n1]) -> DartsNode(C, h)
  n3 = choose(2, [p0, p1, n0, n1, n2]) -> DartsNode(C, h)
  output concat(n0, n1, n2, n3)
}

space DARTS(C: int = 16, N: int = 2, classes: int = 10) {
  input(3, 32, 32)

  # stem: 3x3 conv to 3C
  stem = conv(3 * C, k=3) -> bn

  # 3N + 2 cells, each on the two previous outputs (N = 2: 8 cells, N = 6: the 20-cell eval net);
  # the first cell reads the stem as both s0 and s1
  repeat(NormalCell(C), N)(stem, stem)  # 32 x 32, 4C channels out
  ReductionCell(2 * C)                  # 16 x 16
  NormalCell(2 * C) * N
  ReductionCell(4 * C)  #  8 x  8
  NormalCell(4 * C) * N

  # head
  gap -> fc(classes)
}
