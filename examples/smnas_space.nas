import "std/blocks"

/**
 * A structural detection search space after SM-NAS (Yao, Xu, Li, Zhang, Liang, Li & Zhang,
 * "SM-NAS: Structural-to-Modular Neural Architecture Search for Object Detection", AAAI 2020),
 * whose structural stage searches the backbone (family and depth), the neck, the head and the
 * input resolution together, to trade accuracy against inference time.
 * Reference implementation: none public; the modules follow torchvision ResNet and the
 * RetinaNet FPN and head (Lin et al. 2017; torchvision/models/detection/retinanet.py).
 *
 * Honest simplifications (the DSL models single-path tensor graphs, not detectors):
 * - one-stage dense head only (RetinaNet style); SM-NAS also searches two-stage and cascade
 *   RCNN heads, whose RoI pooling over proposals is dynamic and not modelled;
 * - the head's weights are shared across pyramid levels in RetinaNet; the DSL has no weight
 *   tying, so each level's head is counted (MACs are right, head params are counted 5 times);
 * - the network's output is every level's predictions flattened and concatenated (as a
 *   detector gathers its anchors); no anchor decoding or NMS;
 * - resolutions are padded to multiples of 32 (as mmdetection's size_divisor=32).
 * 4 resolutions x 4 backbones x 2 necks x 2 head depths x 2 head widths = 128 architectures.
 */

/** RetinaNet-style dense head on one level: `convs` 3x3 conv-ReLU layers of width W for each
 * of the classification and box subnets, then A*classes logits and A*4 box offsets. */
block DenseHead(W: int, convs: int, classes: int, anchors: int = 9) {
  input p
  cls = p -> (conv(W, k=3, bias=true) -> relu) * convs -> conv(anchors * classes, k=3, bias=true)
  box = p -> (conv(W, k=3, bias=true) -> relu) * convs -> conv(anchors * 4, k=3, bias=true)
  concat(cls, box) -> flatten
}

/** Feature pyramid (Lin et al. 2017) on C3-C5: 1x1 laterals, top-down nearest upsampling and
 * sums, 3x3 output convs; P6 and P7 by stride-2 3x3 convs (RetinaNet). The head runs on
 * P3-P7. */
block FPN(W: int, head: layer) {
  input c3, c4, c5
  l5 = c5 -> conv(W, k=1, bias=true)
  l4 = add(c4 -> conv(W, k=1, bias=true), l5 -> upsample(2))
  l3 = add(c3 -> conv(W, k=1, bias=true), l4 -> upsample(2))
  p3 = l3 -> conv(W, k=3, bias=true)
  p4 = l4 -> conv(W, k=3, bias=true)
  p5 = l5 -> conv(W, k=3, bias=true)
  p6 = c5 -> conv(W, k=3, stride=2, bias=true)
  p7 = p6 -> relu -> conv(W, k=3, stride=2, bias=true)
  concat(p3 -> head, p4 -> head, p5 -> head, p6 -> head, p7 -> head)
}

/** No pyramid: a single level, C5 reduced to W channels (YOLO/SSD-lite style). */
block SingleLevel(W: int, head: layer) {
  input c3, c4, c5
  c5 -> conv(W, k=1, bias=true) -> head
}

space SMNAS(classes: int = 80) {
  # input resolution, height x width
  let res = choice([512, 512], [608, 800], [736, 1088], [800, 1344])
  input(3, res[0], res[1])

  # backbone: family (basic blocks or bottlenecks) and depth [unit, stage depths]
  let backbone = choice(resnet18: [BasicBlock, [2, 2, 2, 2]],
                        resnet34: [BasicBlock, [3, 4, 6, 3]],
                        resnet50: [Bottleneck, [3, 4, 6, 3]],
                        resnet101: [Bottleneck, [3, 4, 23, 3]])
  let unit = backbone[0]
  let depth = backbone[1]
  conv(64, k=7, stride=2) -> bn -> relu -> maxpool(k=3, stride=2, pad=1)
  c2 = unit(64) * depth[0]                                # stride 4
  c3 = unit(128, stride=2) -> unit(128) * (depth[1] - 1)  # stride 8
  c4 = unit(256, stride=2) -> unit(256) * (depth[2] - 1)  # stride 16
  c5 = unit(512, stride=2) -> unit(512) * (depth[3] - 1)  # stride 32

  # head: depth and width of the subnets
  let head = DenseHead(choice(128, 256), convs=choice(2, 4), classes=classes)

  # neck: FPN over C3-C5 (+P6, P7) or a single C5 level
  output [c3, c4, c5] -> choice(FPN(256, head), SingleLevel(256, head))
}

/** SM-NAS's two-stage search on this space: first the structure (resolution, backbone, neck)
 * against MACs, then the head's width and depth, with partial-order pruning. */
search SMNASTwoStage {
  # Detection training is out of reach here: accuracy comes from the `fake` evaluator
  # (deterministic, rising with MACs; it predicts nothing about real mAP) and the cost is the
  # cost model's MACs. Swap in a trained or measured evaluator to use it for real.
  space SMNAS
  strategy smnas(population = 8, structural = 0.5)
  maximize accuracy
  minimize macs
  evaluator fake(noise = 2)
  budget 40
  seed 0
}
