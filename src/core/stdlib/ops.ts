/**
 * The built-in declarations: every primitive op and built-in function, with its attributes
 * and documentation. They are in scope in every document without an import. Their shape and
 * cost rules are native (src/core/semantics/ops.ts); the declarations give names, attribute
 * order, defaults and docs to linking, validation, completion, hover and signature help.
 */
export const OPS_URI = 'builtin:/ops.nas';

export const OPS_SOURCE = `# NAS Studio built-in ops and functions. Cost conventions: docs/cost-model.md.

/** 2-D convolution (PyTorch Conv2d). \`pad = -1\` means "same" for stride 1: \`dilation*(k-1)/2\` per side. \`kh\`/\`kw\` override the height/width of an asymmetric kernel (ACNet).
 * Params: \`k*k*(in/groups)*out\` (\`+out\` with bias). MACs: \`k*k*(in/groups)*out*H_out*W_out\`. */
op conv(out: int, k: int = 1, stride: int = 1, pad: int = -1, dilation: int = 1, groups: int = 1, bias: bool = false, kh: int = -1, kw: int = -1)
/** Depthwise convolution: a conv with \`groups = in\` channels and \`out = in*multiplier\`. */
op dwconv(k: int = 3, stride: int = 1, pad: int = -1, dilation: int = 1, multiplier: int = 1, bias: bool = false)
/** Max pooling (PyTorch MaxPool2d). \`stride = -1\` means stride = k. Not counted in MACs. */
op maxpool(k: int = 2, stride: int = -1, pad: int = 0)
/** Average pooling (PyTorch AvgPool2d). Not counted in MACs. */
op avgpool(k: int = 2, stride: int = -1, pad: int = 0, count_include_pad: bool = true)
/** Global average pooling to \`C x 1 x 1\`. Not counted in MACs. */
op gap()
/** Flatten \`C x H x W\` to \`(C*H*W) x 1 x 1\`. */
op flatten()
/** Batch norm: \`2*C\` parameters (gamma, beta); running statistics are buffers, not parameters.
 * \`pad > 0\` is the BN of the input zero-padded by \`pad\` pixels per side: the border holds the
 * value BN gives a zero (Ding et al. 2021, Diverse Branch Block, BNAndPadLayer), so that a
 * 1x1 conv, this BN and an unpadded kxk conv fuse into one padded kxk conv. */
op bn(affine: bool = true, pad: int = 0)
/** Group norm: \`2*C\` parameters. */
op gn(groups: int = 32)
/** ReLU. */
op relu()
/** ReLU6 (MobileNetV2). */
op relu6()
/** Hard swish (MobileNetV3). */
op hswish()
/** Hard sigmoid (MobileNetV3 SE gate). */
op hsigmoid()
/** Swish / SiLU (EfficientNet). */
op swish()
/** Sigmoid. */
op sigmoid()
/** Fully connected layer on the flattened input (PyTorch Linear). Params \`in*out\` (\`+out\` with
 * bias). MACs \`in*out\`; the bias is not a MAC (fvcore/torchvision convention). */
op fc(out: int, bias: bool = true)
/** Identity (skip connection). */
op identity()
/** Zero op of NASNet/DARTS/NAS-Bench-201 (\`none\`): outputs zeros, with stride for reduction
 * cells and \`out\` channels (-1 keeps the input's). No parameters, no MACs. */
op zero(stride: int = 1, out: int = -1)
/** Element-wise sum of tensors of the same shape. */
op add(*inputs: tensor)
/** Channel concatenation of tensors with the same spatial size. */
op concat(*inputs: tensor)
/** Element-wise product with broadcasting of \`C x 1 x 1\` (squeeze-and-excitation gating). */
op mul(*inputs: tensor)
/** Channel shuffle (ShuffleNet): a permutation, no parameters. */
op channel_shuffle(groups: int = 2)
/** Channel split (ShuffleNetV2): keep channel group \`index\` of \`parts\` equal parts. */
op split(parts: int = 2, index: int = 0)
/** Nearest/bilinear upsampling by an integer factor. Not counted in MACs. */
op upsample(scale: int = 2)
/** Dropout: identity at inference, counted as nothing. */
op dropout(p: float = 0.0)

/** A choice among options: ops/blocks (an op choice), tensors (an input choice), or values
 * (channels, kernel size, expand ratio, depth, resolution). A single list argument means a
 * choice among its elements (e.g. \`choice(16..64 step 8)\`). Choices inside a \`cell\` are
 * decided once for every instance of the cell (a genotype); choices inside a \`block\` are
 * decided per instance. \`shared = true\` decides once for every instance of this site. */
fn choice(*options: any, shared: bool = false)
/** Choose k distinct elements of a list (an input choice without replacement, as DARTS
 * derives two distinct inputs per node). Returns a list in the list's order. */
fn choose(k: int, options: list, shared: bool = false)
/** Repeat a layer n times in sequence; \`shared = true\` makes the repeats share their choices. */
fn repeat(layer: layer, n: int, shared: bool = false)
/** Sum of a list of tensors (add). */
fn sum(items: list)
/** The cell's nodes whose output nobody uses (NASNet's "concat of loose ends"). */
fn loose_ends()
/** Number of elements of a list. */
fn len(items: list)
/** Round to the nearest integer (half away from zero). */
fn round(x: float)
fn floor(x: float)
fn ceil(x: float)
fn min(*xs: float)
fn max(*xs: float)
/** The channel rounding of MobileNet/EfficientNet (TF reference \`_make_divisible\`): round to a
 * multiple of \`divisor\`, never below \`min_value\` nor below 90% of v. */
fn make_divisible(v: float, divisor: int = 8, min_value: int = -1)
/** EfficientNet depth scaling: \`ceil(repeats * coefficient)\`. */
fn round_repeats(repeats: int, coefficient: float = 1.0)
/** The RegNet design space (Radosavovic et al. 2020, pycls \`generate_regnet\`): widths
 * \`u_j = w0 + wa*j\` quantized to \`w0*wm^round(log(u_j/w0)/log(wm))\`, rounded to multiples of q,
 * grouped into stages of equal width; then made compatible with group width g and bottleneck
 * ratio b. Returns a list of [width, depth] per stage. */
fn regnet_stages(d: int, w0: float, wa: float, wm: float, g: int = 8, b: float = 1.0, q: int = 8)
`;
