import "std/blocks"

/**
 * EfficientNet-B0 (Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
 * Networks", ICML 2019), as torchvision `efficientnet_b0`: MBConv blocks with swish and
 * squeeze-and-excitation (squeeze width = block input / 4, 1x1 convs with bias).
 * Reference implementation: torchvision/models/efficientnet.py (Table 1 of the paper).
 * Published: 5,288,548 parameters, 385.8 MMACs at 224x224 (torchvision model card: 0.39 GFLOPS).
 */
network EfficientNetB0(classes: int = 1000, width: float = 1.0, depth: float = 1.0) {
  input(3, 224, 224)

  # stem
  conv(make_divisible(32 * width), k=3, stride=2) -> bn -> swish

  # MBConv stages: [expand, kernel, stride, channels, layers]
  for stage in [[1, 3, 1, 16, 1],
                [6, 3, 2, 24, 2],
                [6, 5, 2, 40, 2],
                [6, 3, 2, 80, 3],
                [6, 5, 1, 112, 3],
                [6, 5, 2, 192, 4],
                [6, 3, 1, 320, 1]] {
    c = make_divisible(stage[3] * width)
    n = round_repeats(stage[4], depth)
    MBConv(c, expand=stage[0], k=stage[1], stride=stage[2], se=0.25, act=swish)
    MBConv(c, expand=stage[0], k=stage[1], se=0.25, act=swish) * (n - 1)
  }

  # head
  conv(make_divisible(1280 * width), k=1) -> bn -> swish
  gap -> dropout(0.2) -> fc(classes)
}
