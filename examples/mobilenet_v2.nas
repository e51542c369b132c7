import "std/blocks"

/**
 * MobileNetV2, width 1.0 (Sandler, Howard, Zhu, Zhmoginov & Chen, "MobileNetV2: Inverted
 * Residuals and Linear Bottlenecks", CVPR 2018), as torchvision `mobilenet_v2`.
 * Reference implementation: torchvision/models/mobilenetv2.py (Table 2 of the paper).
 * Published: 3,504,872 parameters, 300.8 MMACs at 224x224 (torchvision model card).
 */
network MobileNetV2(classes: int = 1000, width: float = 1.0) {
  input(3, 224, 224)

  # stem
  conv(make_divisible(32 * width), k=3, stride=2) -> bn -> relu6

  # inverted residual stages, as the paper's Table 2: [t (expand), c (channels), n (repeats), s (stride)]
  for stage in [[1, 16, 1, 1],
                [6, 24, 2, 2],
                [6, 32, 3, 2],
                [6, 64, 4, 2],
                [6, 96, 3, 1],
                [6, 160, 3, 2],
                [6, 320, 1, 1]] {
    t = stage[0]
    c = make_divisible(stage[1] * width)
    MBConv(c, expand=t, stride=stage[3])  # the first layer of a stage strides
    MBConv(c, expand=t) * (stage[2] - 1)
  }

  # head: 1x1 conv to 1280 (kept at 1280 for widths <= 1.0), classifier
  conv(make_divisible(1280 * max(1.0, width)), k=1) -> bn -> relu6
  gap -> dropout(0.2) -> fc(classes)
}
