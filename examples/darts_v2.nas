import "darts_space"

/**
 * DARTS-V2, the cell DARTS found with its second-order search (Liu, Simonyan & Yang, "DARTS:
 * Differentiable Architecture Search", ICLR 2019; `DARTS_V2` in quark0/darts cnn/genotypes.py),
 * in the CIFAR-10 evaluation network: C = 36 initial channels, 20 cells (N = 6 normal cells
 * per stage), no auxiliary head. The reference code's train.py logs "param size = 3.349342MB".
 *
 * Each line is a node of the cell: the two (op, input) pairs of the genotype, its inputs named
 * as darts_space.nas names them (p0 = c_{k-2} and p1 = c_{k-1} after preprocessing, then the
 * nodes n0..n3); an input may also be written by its index in the genotype (0, 1, 2, ...).
 */
network DARTS_V2 = DARTS(C=36, N=6) with {
  NormalCell {
    n0 = (sep_conv_3x3, p0), (sep_conv_3x3, p1)
    n1 = (sep_conv_3x3, p0), (sep_conv_3x3, p1)
    n2 = (sep_conv_3x3, p1), (skip_connect, p0)
    n3 = (skip_connect, p0), (dil_conv_3x3, n0)
  }
  ReductionCell {
    n0 = (max_pool_3x3, p0), (max_pool_3x3, p1)
    n1 = (skip_connect, n0), (max_pool_3x3, p1)
    n2 = (max_pool_3x3, p0), (skip_connect, n0)
    n3 = (skip_connect, n0), (max_pool_3x3, p1)
  }
}
