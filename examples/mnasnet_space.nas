import "std/blocks"

/**
 * A MnasNet-style factorized hierarchical search space (Tan, Chen, Pang, Vasudevan, Sandler,
 * Howard & Le, "MnasNet: Platform-Aware Neural Architecture Search for Mobile", CVPR 2019):
 * the network is split into stages on a MobileNetV2 skeleton and each stage searches its own
 * MBConv layer (kernel 3 or 5, expansion 3 or 6, squeeze-and-excitation or not) and its number
 * of layers (one fewer, as many or one more than the skeleton); the layers of a stage share
 * the stage's choices, and stages decide independently.
 * Reference implementation: tensorflow/tpu models/official/mnasnet (mnasnet_models.py).
 * Simplified: the paper also searches the conv type (regular / depthwise / MBConv), the skip
 * op and the filter size of each stage; here those are fixed to MBConv, identity skip and the
 * skeleton's widths. 8^6 * 3^5 * 2 = 127,401,984 architectures.
 */

/** One searched stage: `layers` MBConv layers of width C, the first with the stage's stride.
 * A block, so each stage (each instance) decides its own values, once for all its layers. */
block MnasStage(C: int, n: int, stride: int) {
  k = choice(3, 5)
  expand = choice(3, 6)
  se = choice(0, 0.25)
  layers = choice(max(1, n - 1)..n + 1)
  MBConv(C, expand=expand, k=k, stride=stride, se=se, act=relu)
      -> MBConv(C, expand=expand, k=k, se=se, act=relu) * (layers - 1)
}

space MnasNetSpace(classes: int = 1000) {
  input(3, 224, 224)

  # fixed stem: 3x3/2 conv, then a separable 3x3 conv to 16 channels
  conv(32, k=3, stride=2) -> bn -> relu
  MBConv(16, expand=1, act=relu)

  # searched stages on the skeleton [channels, layers, stride]
  for stage in [[24, 2, 2],
                [40, 3, 2],
                [80, 4, 2],
                [112, 2, 1],
                [160, 3, 2],
                [320, 1, 1]] {
    MnasStage(stage[0], n=stage[1], stride=stage[2])
  }

  # head
  conv(1280, k=1) -> bn -> relu
  gap -> fc(classes)
}
