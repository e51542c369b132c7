import "std/blocks"

/**
 * ResNet-50 (He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016),
 * version 1.5 as in torchvision `resnet50`: the stride of a down-sampling bottleneck sits on
 * its 3x3 conv, not on the first 1x1 (std/blocks `Bottleneck`).
 * Reference implementation: torchvision/models/resnet.py.
 * Published: 25,557,032 parameters, 4.089 GMACs at 224x224 (torchvision model card).
 */
network ResNet50(classes: int = 1000) {
  input(3, 224, 224)

  # stem: 7x7/2 conv, 3x3/2 max pool -> 64 x 56 x 56
  conv(64, k=7, stride=2) -> bn -> relu
  maxpool(k=3, stride=2, pad=1)

  # four stages of bottlenecks [3, 4, 6, 3]; a stage's output width is 4x its inner width
  Bottleneck(64) * 3                                # conv2_x:  256 x 56 x 56
  Bottleneck(128, stride=2) -> Bottleneck(128) * 3  # conv3_x:  512 x 28 x 28
  Bottleneck(256, stride=2) -> Bottleneck(256) * 5  # conv4_x: 1024 x 14 x 14
  Bottleneck(512, stride=2) -> Bottleneck(512) * 2  # conv5_x: 2048 x  7 x  7

  # head
  gap -> fc(classes)
}
