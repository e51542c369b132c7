import "std/blocks"

/**
 * The Single Path One-Shot (SPOS) supernet (Guo, Zhang, Mu, Heng, Liu, Wei & Sun, "Single Path
 * One-Shot Neural Architecture Search with Uniform Sampling", ECCV 2020): a ShuffleNetV2
 * backbone whose 20 choice layers each pick one of 4 ShuffleNetV2 units, independently:
 * 4^20 = 1,099,511,627,776 architectures.
 * Reference implementation: megvii-model/SinglePathOneShot (src/Supernet/network.py, blocks.py):
 * stages [4, 4, 8, 4] with widths [64, 160, 320, 640], a 16-channel stem, 1024-channel last
 * conv, no max pool (224 -> 7 by five stride-2 layers).
 * Simplified: the supernet's batch norms are affine-free (`affine=False`); here they are
 * affine, as in the stand-alone networks retrained from the searched architectures.
 */

/** One choice layer: ShuffleNetV2 unit with a 3x3, 5x5 or 7x7 depthwise conv, or the
 * Xception-like unit (three 3x3 depthwise-pointwise stages); the reference code's choice
 * indices 0-3, in its order. A block: each position decides on its own. */
block SPOSChoice(C: int, stride: int = 1) {
  choice(shuffle_3x3: ShuffleV2Block(C, k=3, stride=stride),
         shuffle_5x5: ShuffleV2Block(C, k=5, stride=stride),
         shuffle_7x7: ShuffleV2Block(C, k=7, stride=stride),
         xception: ShuffleV2Block(C, stride=stride, xception=true))
}

space SPOS(classes: int = 1000) {
  input(3, 224, 224)

  # stem: 3x3/2 conv to 16 channels -> 16 x 112 x 112
  conv(16, k=3, stride=2) -> bn -> relu

  # 20 choice layers; the first layer of each stage halves the resolution
  SPOSChoice(64, stride=2) -> SPOSChoice(64) * 3    #  64 x 56 x 56
  SPOSChoice(160, stride=2) -> SPOSChoice(160) * 3  # 160 x 28 x 28
  SPOSChoice(320, stride=2) -> SPOSChoice(320) * 7  # 320 x 14 x 14
  SPOSChoice(640, stride=2) -> SPOSChoice(640) * 3  # 640 x  7 x  7

  # head
  conv(1024, k=1) -> bn -> relu
  gap -> dropout(0.1) -> fc(classes, bias=false)
}
