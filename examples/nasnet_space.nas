import "std/blocks"

/**
 * The NASNet search space (Zoph, Vasudevan, Shlens & Le, "Learning Transferable Architectures
 * for Scalable Image Recognition", CVPR 2018), CIFAR-10 setting: N normal cells per stage,
 * two reduction cells, C = 32 filters in the first stage (NASNet-A 6 @ 768 for N = 6).
 * Reference implementation: tensorflow/models research/slim/nets/nasnet (nasnet_utils.py).
 *
 * Each cell reads the two previous cells' outputs h(i-2) and h(i-1) and has B = 5 blocks. A block
 * picks two inputs among the hidden states so far (with replacement), one op for each, and a
 * combine (add or concat); the cell outputs the concatenation of the blocks nobody used. The
 * normal cells share one genotype, the reduction cells another.
 * Per cell type: prod_{j=0..4} (2 + j)^2 * 13^2 * 2 = 720^2 * 338^5; squared for both cells.
 * Simplified: the reference also concatenates an unused cell input (after a factorized
 * reduction when its size differs); here only unused blocks are concatenated, as in DARTS/ENAS.
 */

/** One of the 13 NASNet ops (the paper's list, Section 3), labelled as DARTS names them.
 * Separable convs are applied twice (ReLU-dw-pw-BN x2). Pooling and identity keep their
 * input's width; when that is not C (after a concat combine) or the op strides, a 1x1
 * ReLU-conv-BN follows, as in nasnet_utils.py. */
block NASNetOp(C: int, stride: int = 1) {
  input x
  let fit = if x.c != C then ReLUConvBN(C, k=1) else identity
  choice(identity: if stride == 1 and x.c == C then identity else ReLUConvBN(C, k=1, stride=stride),
         conv_1x3_3x1: relu -> conv(C, kh=1, kw=3, stride=stride) -> conv(C, kh=3, kw=1) -> bn,
         conv_1x7_7x1: relu -> conv(C, kh=1, kw=7, stride=stride) -> conv(C, kh=7, kw=1) -> bn,
         dil_conv_3x3: relu -> conv(C, k=3, stride=stride, dilation=2) -> bn,
         avg_pool_3x3: avgpool(k=3, stride=stride, pad=1, count_include_pad=false) -> fit,
         max_pool_3x3: maxpool(k=3, stride=stride, pad=1) -> fit,
         max_pool_5x5: maxpool(k=5, stride=stride, pad=2) -> fit,
         max_pool_7x7: maxpool(k=7, stride=stride, pad=3) -> fit,
         conv_1x1: ReLUConvBN(C, k=1, stride=stride),
         conv_3x3: ReLUConvBN(C, k=3, stride=stride),
         sep_conv_3x3: SepConv(C, k=3, stride=stride),
         sep_conv_5x5: SepConv(C, k=5, stride=stride),
         sep_conv_7x7: SepConv(C, k=7, stride=stride))
}

/** A block: an op on each of its two inputs, then add or concat. An input larger than the
 * block's resolution `h` (a cell input, in a reduction cell) is taken with stride 2. */
block NASNetBlock(C: int, h: int) {
  input a, b
  x = a -> NASNetOp(C, stride=a.h // h)
  y = b -> NASNetOp(C, stride=b.h // h)
  choice(add(x, y), concat(x, y))
}

/** The normal cell. The inputs are brought to C channels (a factorized reduction when h(i-2)
 * is twice as large, after a reduction cell). They are `let` values, not nodes of the cell,
 * so the output (the loose ends) concatenates unused blocks only. A block's second input
 * lists h(i-1) first, so that the first-option architecture uses both cell inputs. */
cell NormalCell(C: int) {
  input s0, s1
  let h0 = if s0.h > s1.h then s0 -> FactorizedReduce(C) else s0 -> ReLUConvBN(C, k=1)
  let h1 = s1 -> ReLUConvBN(C, k=1)
  let r = s1.h
  b0 = [choice(h0, h1), choice(h1, h0)] -> NASNetBlock(C, r)
  b1 = [choice(h0, h1, b0), choice(h1, h0, b0)] -> NASNetBlock(C, r)
  b2 = [choice(h0, h1, b0, b1), choice(h1, h0, b0, b1)] -> NASNetBlock(C, r)
  b3 = [choice(h0, h1, b0, b1, b2), choice(h1, h0, b0, b1, b2)] -> NASNetBlock(C, r)
  b4 = [choice(h0, h1, b0, b1, b2, b3), choice(h1, h0, b0, b1, b2, b3)] -> NASNetBlock(C, r)
}

/** The reduction cell: the same structure, its blocks at half the resolution. */
cell ReductionCell(C: int) {
  input s0, s1
  let h0 = if s0.h > s1.h then s0 -> FactorizedReduce(C) else s0 -> ReLUConvBN(C, k=1)
  let h1 = s1 -> ReLUConvBN(C, k=1)
  let r = s1.h // 2
  b0 = [choice(h0, h1), choice(h1, h0)] -> NASNetBlock(C, r)
  b1 = [choice(h0, h1, b0), choice(h1, h0, b0)] -> NASNetBlock(C, r)
  b2 = [choice(h0, h1, b0, b1), choice(h1, h0, b0, b1)] -> NASNetBlock(C, r)
  b3 = [choice(h0, h1, b0, b1, b2), choice(h1, h0, b0, b1, b2)] -> NASNetBlock(C, r)
  b4 = [choice(h0, h1, b0, b1, b2, b3), choice(h1, h0, b0, b1, b2, b3)] -> NASNetBlock(C, r)
}

space NASNet(C: int = 32, N: int = 6, classes: int = 10) {
  input(3, 32, 32)

  # stem: 3x3 conv to 3C (stem_multiplier 3)
  stem = conv(3 * C, k=3) -> bn

  # the first cell reads the stem as both h(i-2) and h(i-1)
  repeat(NormalCell(C), N)(stem, stem)  # 32 x 32
  ReductionCell(2 * C)                  # 16 x 16
  NormalCell(2 * C) * N
  ReductionCell(4 * C)  #  8 x  8
  NormalCell(4 * C) * N

  # head
  relu -> gap -> fc(classes)
}
