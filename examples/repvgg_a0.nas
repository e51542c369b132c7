import "std/blocks"

/**
 * RepVGG-A0, training-time form (Ding, Zhang, Ma, Han, Ding & Sun, "RepVGG: Making VGG-style
 * ConvNets Great Again", CVPR 2021): a plain stack of RepVGG blocks, each a 3x3 conv-BN, a
 * 1x1 conv-BN and (when the shape is kept) an identity BN, summed then ReLU (std/blocks
 * `RepVGGBlock`). After training each block fuses into a single 3x3 conv (`nas fuse`).
 * A0: layers [1, 2, 4, 14, 1], width multipliers a = 0.75, b = 2.5, no group convs.
 * Reference implementation: DingXiaoH/RepVGG (repvgg.py, `create_RepVGG_A0`).
 * Published (paper Table 3): 9.11M parameters training-time, 8.31M after fusion; 1.4 GFLOPs.
 */
network RepVGGA0(classes: int = 1000, a: float = 0.75, b: float = 2.5) {
  input(3, 224, 224)

  # stage 0 (stem): a single stride-2 block, at most 64 channels
  RepVGGBlock(min(64, 64 * a), stride=2)  #   48 x 112 x 112
  # stages 1-4: the first block of each stage halves the resolution
  RepVGGBlock(64 * a, stride=2) -> RepVGGBlock(64 * a) * 1     #   48 x 56 x 56
  RepVGGBlock(128 * a, stride=2) -> RepVGGBlock(128 * a) * 3   #   96 x 28 x 28
  RepVGGBlock(256 * a, stride=2) -> RepVGGBlock(256 * a) * 13  #  192 x 14 x 14
  RepVGGBlock(512 * b, stride=2)                               # 1280 x  7 x  7

  # head
  gap -> fc(classes)
}
