/**
 * `std/blocks`: composite blocks written in the DSL itself, each following the reference
 * implementation cited in its comment (layer order, channel rounding, shortcuts).
 */
export const BLOCKS_SOURCE = `# NAS Studio standard blocks. import "std/blocks"

/** ReLU-Conv-BN, the edge op of DARTS and NAS-Bench-201 ("nor_conv_kxk"). */
block ReLUConvBN(C: int, k: int = 3, stride: int = 1, dilation: int = 1) {
  relu -> conv(C, k=k, stride=stride, dilation=dilation) -> bn
}

/** Conv-BN-ReLU, the usual stem/trunk unit. */
block ConvBNReLU(C: int, k: int = 3, stride: int = 1, groups: int = 1) {
  conv(C, k=k, stride=stride, groups=groups) -> bn -> relu
}

/** Separable convolution of NASNet/DARTS: (ReLU, depthwise, pointwise, BN) twice; the first
 * depthwise carries the stride and keeps the input width (DARTS operations.py SepConv). */
block SepConv(C: int, k: int = 3, stride: int = 1) {
  input x
  x -> relu -> dwconv(k=k, stride=stride) -> conv(x.c, k=1) -> bn
  relu -> dwconv(k=k) -> conv(C, k=1) -> bn
}

/** Dilated separable convolution of DARTS: ReLU, depthwise dilated, pointwise, BN. */
block DilConv(C: int, k: int = 3, stride: int = 1, dilation: int = 2) {
  relu -> dwconv(k=k, stride=stride, dilation=dilation) -> conv(C, k=1) -> bn
}

/** DARTS FactorizedReduce: two stride-2 1x1 convs on (shifted) inputs, concatenated. The
 * one-pixel shift of the second path changes no shape or cost for even sizes. */
block FactorizedReduce(C: int) {
  input x
  r = x -> relu
  a = r -> conv(C // 2, k=1, stride=2)
  b = r -> conv(C - C // 2, k=1, stride=2)
  concat(a, b) -> bn
}

/** ResNet basic block (He et al. 2016; torchvision BasicBlock). */
block BasicBlock(C: int, stride: int = 1) {
  input x
  main = x -> conv(C, k=3, stride=stride) -> bn -> relu -> conv(C, k=3) -> bn
  short = if stride != 1 or x.c != C then x -> conv(C, k=1, stride=stride) -> bn else x
  add(main, short) -> relu
}

/** ResNet bottleneck, v1.5 (torchvision): the stride sits on the 3x3 conv. */
block Bottleneck(C: int, stride: int = 1, expansion: int = 4, groups: int = 1, base_width: int = 64) {
  input x
  width = C * base_width // 64 * groups
  main = x -> conv(width, k=1) -> bn -> relu -> conv(width, k=3, stride=stride, groups=groups) -> bn -> relu -> conv(C * expansion, k=1) -> bn
  short = if stride != 1 or x.c != C * expansion then x -> conv(C * expansion, k=1, stride=stride) -> bn else x
  add(main, short) -> relu
}

/** Inverted residual with optional squeeze-and-excitation (MobileNetV2, Sandler et al. 2018;
 * EfficientNet MBConv, Tan & Le 2019; torchvision): expand 1x1, depthwise kxk, SE on the
 * expanded width with \`max(1, in*se)\` squeeze channels, project 1x1; identity shortcut when
 * the stride is 1 and the widths match. */
block MBConv(C: int, expand: float = 6, k: int = 3, stride: int = 1, se: float = 0, act: layer = relu6) {
  input x
  mid = make_divisible(x.c * expand, 8)
  e = if expand != 1 then x -> conv(mid, k=1) -> bn -> act else x
  d = e -> dwconv(k=k, stride=stride) -> bn -> act
  s = if se > 0 then mul(d, d -> gap -> conv(max(1, floor(x.c * se)), k=1, bias=true) -> act -> conv(e.c, k=1, bias=true) -> sigmoid) else d
  p = s -> conv(C, k=1) -> bn
  output if stride == 1 and x.c == C then add(p, x) else p
}

/** ShuffleNetV2 unit (Ma et al. 2018), as the SPOS choice block (Guo et al. 2020, megvii
 * OneShot code): stride 1 splits the channels and transforms one half; stride 2 transforms
 * both. \`xception\` uses three depthwise-pointwise stages. */
block ShuffleV2Block(C: int, k: int = 3, stride: int = 1, xception: bool = false) {
  input x
  inp = if stride == 1 then x.c // 2 else x.c
  mid = C // 2
  outputs = C - inp
  proj = if stride == 1 then x -> split(2, 0) else x -> dwconv(k=k, stride=2) -> bn -> conv(inp, k=1) -> bn -> relu
  src = if stride == 1 then x -> split(2, 1) else x
  main = if xception then src -> dwconv(k=3, stride=stride) -> bn -> conv(mid, k=1) -> bn -> relu -> dwconv(k=3) -> bn -> conv(mid, k=1) -> bn -> relu -> dwconv(k=3) -> bn -> conv(outputs, k=1) -> bn -> relu
         else src -> conv(mid, k=1) -> bn -> relu -> dwconv(k=k, stride=stride) -> bn -> conv(outputs, k=1) -> bn -> relu
  concat(proj, main) -> channel_shuffle(2)
}

/** The residual block between NAS-Bench-201 stages (Dong & Yang 2020, ResNetBasicblock):
 * two ReLU-Conv-BN, shortcut avgpool 2x2 + 1x1 conv. */
block NB201ResBlock(C: int, stride: int = 2) {
  input x
  a = x -> ReLUConvBN(C, k=3, stride=stride) -> ReLUConvBN(C, k=3)
  short = if stride == 2 then x -> avgpool(k=2, stride=2) -> conv(C, k=1) else if x.c != C then x -> ReLUConvBN(C, k=1) else x
  add(a, short)
}

/** RepVGG block, training-time form (Ding, Zhang, Ma, Han, Ding & Sun 2021, "RepVGG: Making
 * VGG-style ConvNets Great Again"; DingXiaoH/RepVGG repvgg.py \`RepVGGBlock\`): 3x3 conv-BN +
 * 1x1 conv-BN + an identity BN when the input and output shapes agree, summed, then ReLU.
 * Dilation (as the reference uses for segmentation) dilates the 3x3 only; the 1x1 stays at its
 * centre. \`nas fuse\` turns it into \`RepVGGDeploy\`. */
block RepVGGBlock(C: int, stride: int = 1, groups: int = 1, dilation: int = 1) {
  input x
  a = x -> conv(C, k=3, stride=stride, dilation=dilation, groups=groups) -> bn
  b = x -> conv(C, k=1, stride=stride, groups=groups) -> bn
  s = if stride == 1 and x.c == C then add(a, b, x -> bn) else add(a, b)
  s -> relu
}

/** RepVGG block, deployment form: the one 3x3 conv with bias that \`RepVGGBlock\` fuses into. */
block RepVGGDeploy(C: int, stride: int = 1, groups: int = 1, dilation: int = 1) {
  conv(C, k=3, stride=stride, dilation=dilation, groups=groups, bias=true) -> relu
}

/** ACNet asymmetric convolution block, training-time form (Ding, Guo, Ding & Han 2019,
 * "ACNet: Strengthening the Kernel Skeletons for Powerful CNN via Asymmetric Convolution
 * Blocks"; DingXiaoH/ACNet acb.py \`ACBlock\` with padding k//2): kxk, 1xk and kx1 conv-BN
 * branches summed. \`nas fuse\` turns it into \`ACDeploy\`: the 1xk and kx1 kernels add to
 * the centre row and column of the kxk one. */
block ACBlock(C: int, k: int = 3, stride: int = 1, groups: int = 1, dilation: int = 1) {
  input x
  sq = x -> conv(C, k=k, stride=stride, dilation=dilation, groups=groups) -> bn
  hor = x -> conv(C, kh=1, kw=k, stride=stride, dilation=dilation, groups=groups) -> bn
  ver = x -> conv(C, kh=k, kw=1, stride=stride, dilation=dilation, groups=groups) -> bn
  add(sq, hor, ver)
}

/** ACNet block, deployment form: one kxk conv with bias. */
block ACDeploy(C: int, k: int = 3, stride: int = 1, groups: int = 1, dilation: int = 1) {
  conv(C, k=k, stride=stride, dilation=dilation, groups=groups, bias=true)
}

/** Diverse Branch Block, training-time form (Ding, Zhang, Han & Ding 2021, "Diverse Branch
 * Block: Building a Convolution as an Inception-like Unit"; DingXiaoH/DiverseBranchBlock
 * diversebranchblock.py \`DiverseBranchBlock\`, padding k//2, no nonlinearity): kxk conv-BN;
 * 1x1 conv-BN (when not depthwise); 1x1 conv, BN-and-pad, kxk average pooling, BN (only the
 * pooling and its BN when depthwise); 1x1 conv (\`internal\` channels: the input's, or twice
 * that when depthwise), BN-and-pad, unpadded kxk conv, BN. The branches are summed. \`nas fuse\`
 * turns it into \`DBDeploy\`. */
block DBBlock(C: int, k: int = 3, stride: int = 1, groups: int = 1, internal: int = -1) {
  input x
  p = k // 2
  mid = if internal > 0 then internal else if groups < C then x.c else 2 * x.c
  origin = x -> conv(C, k=k, stride=stride, pad=p, groups=groups) -> bn
  avg = if groups < C then x -> conv(C, k=1, groups=groups) -> bn(pad=p) -> avgpool(k=k, stride=stride) -> bn
        else x -> avgpool(k=k, stride=stride, pad=p) -> bn
  kxk = x -> conv(mid, k=1, groups=groups) -> bn(pad=p) -> conv(C, k=k, stride=stride, pad=0, groups=groups) -> bn
  output if groups < C then add(origin, x -> conv(C, k=1, stride=stride, groups=groups) -> bn, avg, kxk) else add(origin, avg, kxk)
}

/** Diverse Branch Block, deployment form: one kxk conv with bias. */
block DBDeploy(C: int, k: int = 3, stride: int = 1, groups: int = 1, internal: int = -1) {
  conv(C, k=k, stride=stride, pad=k // 2, groups=groups, bias=true)
}

/** MobileOne block, training-time form (Vasu, Gabriel, Zhu, Tuzel & Ranjan 2023, "MobileOne: An
 * Improved One millisecond Mobile Backbone"; apple/ml-mobileone mobileone.py
 * \`MobileOneBlock\`, padding k//2, no SE): \`branches\` kxk conv-BN branches, a 1x1 conv-BN
 * "scale" branch when k > 1, and an identity BN when the input and output shapes agree,
 * summed, then ReLU. The network uses it depthwise (groups = channels) then pointwise (k = 1).
 * \`nas fuse\` turns it into \`MobileOneDeploy\`. */
block MobileOneBlock(C: int, k: int = 3, stride: int = 1, groups: int = 1, branches: int = 1) {
  input x
  first = x -> conv(C, k=k, stride=stride, groups=groups) -> bn
  scaled = if k > 1 then add(first, x -> conv(C, k=1, stride=stride, groups=groups) -> bn) else first
  skipped = if stride == 1 and x.c == C then add(scaled, x -> bn) else scaled
  for i in 2..branches {
    add(x -> conv(C, k=k, stride=stride, groups=groups) -> bn)
  }
  relu
}

/** MobileOne block, deployment form: one kxk conv with bias, then ReLU. */
block MobileOneDeploy(C: int, k: int = 3, stride: int = 1, groups: int = 1, branches: int = 1) {
  conv(C, k=k, stride=stride, groups=groups, bias=true) -> relu
}
`;
