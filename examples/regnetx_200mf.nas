/**
 * RegNetX-200MF (Radosavovic, Kosaraju, Girshick, He & Dollar, "Designing Network Design
 * Spaces", CVPR 2020), generated from its design-space parameters d=13, w0=24, wa=36.44,
 * wm=2.49, g=8 (b=1) by the pycls rule (`regnet_stages`): widths [24, 56, 152, 368],
 * depths [1, 1, 4, 7].
 * Reference implementations: pycls/models/regnet.py and anynet.py; torchvision `regnet_x_200mf`.
 * Published: 2,684,792 parameters, 199.04 MMACs at 224x224 (pycls model zoo: 0.2 GF; torchvision).
 */

/** The X block of AnyNet/RegNet: 1x1, grouped 3x3 (group width g) carrying the stride, 1x1;
 * projection shortcut (1x1 conv + BN) when the shape changes; ReLU after the sum. */
block XBlock(w: int, stride: int = 1, g: int = 8, b: float = 1.0) {
  input x
  wb = round(w * b)
  main = x -> conv(wb, k=1) -> bn -> relu
      -> conv(wb, k=3, stride=stride, groups=wb // g) -> bn -> relu
      -> conv(w, k=1) -> bn
  short = if stride != 1 or x.c != w then x -> conv(w, k=1, stride=stride) -> bn else x
  add(main, short) -> relu
}

network RegNetX200MF(classes: int = 1000) {
  input(3, 224, 224)

  # stem: 3x3/2 conv to 32 channels
  conv(32, k=3, stride=2) -> bn -> relu

  # body: one stage per [width, depth, group width]; the first block of each stage strides
  for s in regnet_stages(d=13, w0=24, wa=36.44, wm=2.49, g=8) {
    XBlock(s[0], stride=2, g=s[2])
    XBlock(s[0], g=s[2]) * (s[1] - 1)
  }

  # head
  gap -> fc(classes)
}
