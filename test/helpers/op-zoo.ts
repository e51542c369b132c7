/**
 * The "zoo": one small network that uses every op the cost model knows besides the plain
 * conv-bn-relu chain (groups, dilation with stride, bias, GN, hard/swish, channel shuffle,
 * split, upsample, zero of another width, SE-style mul, the std/blocks ACB, ShuffleNetV2,
 * ResNet blocks), for the tests that compare an engine or an exporter with PyTorch.
 */

/** Ops the zoo is there to cover: a test checks they reached the graph it compares. */
export const ZOO_OPS = ['gn', 'hswish', 'hsigmoid', 'swish', 'channel_shuffle', 'split', 'upsample', 'flatten', 'zero', 'mul'] as const;

/**
 * The zoo network `Zoo(classes = 10)` at 3×12×12; `head` follows the last block (what each
 * test needs there: a dropout for ONNX's Dropout, a hidden fc for the PyTorch export).
 */
export function opZoo(head = 'flatten -> fc(classes)'): string {
  return `import "std/blocks"
network Zoo(classes: int = 10) {
  input(3, 12, 12)
  stem = conv(16, k=3, bias=true) -> bn -> hswish
  a = stem -> conv(16, k=3, groups=4) -> gn(groups=4) -> swish
  b = stem -> conv(16, k=3, stride=2, dilation=2) -> bn(affine=false) -> hsigmoid -> upsample(2)
  c = stem -> ACBlock(16) -> relu6
  d = stem -> dwconv(k=3, multiplier=2, stride=2, pad=1, bias=true) -> bn -> sigmoid -> upsample(2)
  e = concat(a, b, c) -> channel_shuffle(3) -> split(3, 1)
  f = add(e, stem -> zero(stride=1), a) -> maxpool(k=3, stride=2, pad=1)
  g = mul(f, f -> gap -> conv(16, k=1, bias=true) -> sigmoid) -> avgpool(k=3, stride=1, pad=1)
  h = concat(g, d -> avgpool(k=2), g -> zero(out=4)) -> ShuffleV2Block(64, stride=2) -> BasicBlock(24)
  h -> Bottleneck(8, groups=2, base_width=32) -> ${head}
}`;
}
