/**
 * A network's model spec (src/core/train/model-builder/spec.ts) and its tensors as an ONNX
 * model (opset 17), for inference: BN in eval mode (its running estimates), dropout as
 * identity. Activations are NCHW with a symbolic batch `N`; parameters take PyTorch's layouts
 * (the spec's `toTorch` permutations), so that the model matches torch.nn's definitions of the
 * ops, which the engine follows (model-builder/ops.ts). Every value keeps rank 4 as in the
 * spec (a linear layer's output is [N, out, 1, 1]); the graph's output is flattened to
 * [N, C] when its height and width are 1, as a classifier's logits.
 */
import type { ModelSpec, ParamSpec, SpecNode } from '../../train/model-builder/spec.js';
import { encodeModel, type AttributeValue, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** A network the exporter cannot express, or tensors that do not fit its spec. */
export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

export interface OnnxExportOptions {
  readonly producerVersion: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly nodes: number;
  /** Scalars in the initializers that are the network's parameters and BN statistics. */
  readonly weights: number;
}

/** `t` (the engine's layout, `shape`) permuted by `perm` (output axis i is input axis perm[i]). */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const strides = perm.map((p) => inStrides[p]!);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k]! * strides[k]!;
    out[o] = data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  weights = 0;
  private count = 0;

  constructor(private readonly tensors: ReadonlyMap<string, NamedTensor>) {}

  add(op: string, inputs: readonly string[], name: string, attrs?: Record<string, AttributeValue>, output?: string): string {
    const out = output ?? `${name}/${op}_${this.count++}`;
    this.nodes.push({ op, inputs, outputs: [out], name: `${name}/${op}`, ...(attrs ? { attrs } : {}) });
    return out;
  }

  constant(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  ints(name: string, values: readonly number[]): string {
    return this.constant(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** A parameter of the spec in PyTorch's layout. */
  param(p: ParamSpec): string {
    const t = this.tensors.get(p.name);
    if (!t) throw new OnnxExportError(`no tensor ${p.name} in the weights`);
    if (t.shape.join() !== p.shape.join())
      throw new OnnxExportError(`${p.name}: a tensor [${t.shape.join(', ')}] where the network has [${p.shape.join(', ')}]`);
    const data = Float32Array.from(t.data);
    this.weights += data.length;
    return this.constant(p.name, p.torchShape, p.toTorch ? permute(data, p.shape, p.toTorch) : data);
  }
}

const paramOf = (node: SpecNode, role: string): ParamSpec | undefined => node.params.find((p) => p.role === role);
const num = (node: SpecNode, k: string): number => node.attrs[k] as number;

function convNode(b: GraphBuilder, node: SpecNode, x: string): string {
  const inputs = [x, b.param(paramOf(node, 'weight')!)];
  const bias = paramOf(node, 'bias');
  if (bias) inputs.push(b.param(bias));
  const [ph, pw] = [num(node, 'pad_h'), num(node, 'pad_w')];
  return b.add('Conv', inputs, node.name, {
    kernel_shape: { ints: [num(node, 'kh'), num(node, 'kw')] },
    strides: { ints: [num(node, 'stride'), num(node, 'stride')] },
    pads: { ints: [ph, pw, ph, pw] },
    dilations: { ints: [num(node, 'dilation'), num(node, 'dilation')] },
    group: num(node, 'groups'),
  });
}

function batchNorm(b: GraphBuilder, node: SpecNode, x: string, input: readonly number[]): string {
  const c = num(node, 'c');
  const gamma = paramOf(node, 'weight') ? b.param(paramOf(node, 'weight')!) : b.constant(`${node.name}.ones`, [c], new Float32Array(c).fill(1));
  const beta = paramOf(node, 'bias') ? b.param(paramOf(node, 'bias')!) : b.constant(`${node.name}.zeros`, [c], new Float32Array(c));
  const mean = b.param(paramOf(node, 'running_mean')!);
  const variance = b.param(paramOf(node, 'running_var')!);
  const eps = num(node, 'eps');
  const y = b.add('BatchNormalization', [x, gamma, beta, mean, variance], node.name, { epsilon: { float: eps } });
  const pad = num(node, 'pad');
  if (!(pad > 0)) return y;
  // DBB's BN-and-pad (Ding et al., "Diverse Branch Block", CVPR 2021): the border holds the
  // value BN gives a zero, β − μ·γ/σ; zero padding plus that border as a constant.
  const [, h, w] = input;
  const [H, W] = [h! + 2 * pad, w! + 2 * pad];
  const g = b.initializers.find((t) => t.name === gamma)!.data as Float32Array;
  const be = b.initializers.find((t) => t.name === beta)!.data as Float32Array;
  const mu = b.initializers.find((t) => t.name === mean)!.data as Float32Array;
  const v = b.initializers.find((t) => t.name === variance)!.data as Float32Array;
  const border = new Float32Array(c * H * W);
  for (let ch = 0; ch < c; ch++) {
    const value = be[ch]! - (mu[ch]! * g[ch]!) / Math.sqrt(v[ch]! + eps);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) if (i < pad || i >= h! + pad || j < pad || j >= w! + pad) border[(ch * H + i) * W + j] = value;
  }
  const padded = b.add('Pad', [y, b.ints(`${node.name}.pads`, [0, 0, pad, pad, 0, 0, pad, pad])], node.name);
  return b.add('Add', [padded, b.constant(`${node.name}.border`, [1, c, H, W], border)], node.name);
}

function groupNorm(b: GraphBuilder, node: SpecNode, x: string): string {
  // ONNX's GroupNormalization comes with opset 18: normalise [N, G, C/G·H·W] per row
  // (InstanceNormalization over G "channels"), then the per-channel affine.
  const [c, h, w] = node.shape;
  const groups = num(node, 'groups');
  const grouped = b.add('Reshape', [x, b.ints(`${node.name}.grouped`, [0, groups, -1])], node.name);
  const ones = b.constant(`${node.name}.ones`, [groups], new Float32Array(groups).fill(1));
  const zeros = b.constant(`${node.name}.zeros`, [groups], new Float32Array(groups));
  const norm = b.add('InstanceNormalization', [grouped, ones, zeros], node.name, { epsilon: { float: num(node, 'eps') } });
  const back = b.add('Reshape', [norm, b.ints(`${node.name}.shape`, [0, c, h, w])], node.name);
  const gamma = b.param(paramOf(node, 'weight')!);
  const beta = b.param(paramOf(node, 'bias')!);
  const cs = b.ints(`${node.name}.affine_shape`, [c, 1, 1]);
  const scaled = b.add('Mul', [back, b.add('Reshape', [gamma, cs], node.name)], node.name);
  return b.add('Add', [scaled, b.add('Reshape', [beta, cs], node.name)], node.name);
}

function linear(b: GraphBuilder, node: SpecNode, x: string): string {
  const flat = b.add('Flatten', [x], node.name, { axis: 1 });
  const inputs = [flat, b.param(paramOf(node, 'weight')!)];
  const bias = paramOf(node, 'bias');
  if (bias) inputs.push(b.param(bias));
  const y = b.add('Gemm', inputs, node.name, { transB: 1 });
  return b.add('Unsqueeze', [y, b.ints(`${node.name}.hw`, [2, 3])], node.name);
}

function zero(b: GraphBuilder, node: SpecNode, x: string, inC: number): string {
  // NAS-Bench-201's and DARTS' Zero: zeros of the strided shape; a 1x1 convolution with zero
  // weights gives them for any channel count (finite inputs).
  const out = num(node, 'out');
  const s = num(node, 'stride');
  const w = b.constant(`${node.name}.zero`, [out, inC, 1, 1], new Float32Array(out * inC));
  return b.add('Conv', [x, w], node.name, { kernel_shape: { ints: [1, 1] }, strides: { ints: [s, s] } });
}

function emit(b: GraphBuilder, node: SpecNode, xs: readonly string[], inShape: readonly number[]): string {
  const x = xs[0]!;
  const a = node.attrs;
  const n = node.name;
  switch (node.op) {
    case 'conv':
    case 'dwconv':
      return convNode(b, node, x);
    case 'bn':
      return batchNorm(b, node, x, inShape);
    case 'gn':
      return groupNorm(b, node, x);
    case 'fc':
      return linear(b, node, x);
    case 'maxpool':
    case 'avgpool': {
      const [k, s, p] = [num(node, 'k'), num(node, 'stride'), num(node, 'pad')];
      const attrs: Record<string, AttributeValue> = { kernel_shape: { ints: [k, k] }, strides: { ints: [s, s] }, pads: { ints: [p, p, p, p] } };
      if (node.op === 'avgpool') attrs.count_include_pad = a['count_include_pad'] ? 1 : 0;
      return b.add(node.op === 'maxpool' ? 'MaxPool' : 'AveragePool', [x], n, attrs);
    }
    case 'gap':
      return b.add('GlobalAveragePool', [x], n);
    case 'flatten':
      return b.add('Unsqueeze', [b.add('Flatten', [x], n, { axis: 1 }), b.ints(`${n}.hw`, [2, 3])], n);
    case 'relu':
      return b.add('Relu', [x], n);
    case 'relu6':
      return b.add('Clip', [x, b.constant(`${n}.min`, [], Float32Array.of(0)), b.constant(`${n}.max`, [], Float32Array.of(6))], n);
    case 'hswish':
      return b.add('HardSwish', [x], n);
    case 'hsigmoid':
      return b.add('HardSigmoid', [x], n, { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
    case 'swish':
      return b.add('Mul', [x, b.add('Sigmoid', [x], n)], n);
    case 'sigmoid':
      return b.add('Sigmoid', [x], n);
    case 'identity':
    case 'dropout':
      return b.add('Identity', [x], n);
    case 'zero':
      return zero(b, node, x, inShape[0]!);
    case 'add':
      return xs.length === 1 ? b.add('Identity', [x], n) : b.add('Sum', xs, n);
    case 'mul':
      return xs.slice(1).reduce((acc, y) => b.add('Mul', [acc, y], n), x);
    case 'concat':
      return b.add('Concat', xs, n, { axis: 1 });
    case 'channel_shuffle': {
      const [c, h, w] = inShape as [number, number, number];
      const g = num(node, 'groups');
      const split = b.add('Reshape', [x, b.ints(`${n}.split`, [0, g, c / g, h, w])], n);
      const t = b.add('Transpose', [split], n, { perm: { ints: [0, 2, 1, 3, 4] } });
      return b.add('Reshape', [t, b.ints(`${n}.merge`, [0, c, h, w])], n);
    }
    case 'split': {
      const c = inShape[0]! / num(node, 'parts');
      const i = num(node, 'index');
      return b.add('Slice', [x, b.ints(`${n}.starts`, [i * c]), b.ints(`${n}.ends`, [(i + 1) * c]), b.ints(`${n}.axes`, [1])], n);
    }
    case 'upsample': {
      // torch.nn.Upsample(scale_factor, mode='nearest'): source pixel floor(dst / scale).
      const s = num(node, 'scale');
      return b.add('Resize', [x, '', b.constant(`${n}.scales`, [4], Float32Array.of(1, 1, s, s))], n, {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
    }
    default:
      throw new OnnxExportError(`op '${node.op}' (${node.scope || node.name}) has no ONNX form here`);
  }
}

/** The ONNX model of `spec` with the tensors `tensors` (named as the spec names them, the engine's layouts). */
export function exportOnnx(spec: ModelSpec, tensors: ReadonlyMap<string, NamedTensor>, options: OnnxExportOptions): OnnxExport {
  const b = new GraphBuilder(tensors);
  const values = new Map<number, string>();
  const shapes = new Map<number, readonly number[]>();
  for (const node of spec.nodes) {
    shapes.set(node.id, node.shape);
    if (node.op === 'input') {
      values.set(node.id, 'input');
      continue;
    }
    const xs = node.inputs.map((i) => values.get(i)!);
    values.set(node.id, emit(b, node, xs, shapes.get(node.inputs[0]!)!));
  }
  const out = spec.nodes.find((n) => n.id === spec.output)!;
  const [c, h, w] = out.shape;
  const logits = h === 1 && w === 1;
  const last = values.get(spec.output)!;
  b.add(logits ? 'Flatten' : 'Identity', [last], 'output', logits ? { axis: 1 } : undefined, 'output');
  const graph = {
    name: spec.name,
    nodes: b.nodes,
    initializers: b.initializers,
    inputs: [{ name: 'input', dims: ['N', ...spec.input] }],
    outputs: [{ name: 'output', dims: logits ? ['N', c] : ['N', c, h, w] }],
    doc: `${spec.name}: NCHW float32 input, eval mode (BN from its running estimates)`,
  };
  const bytes = encodeModel(graph, { producer: 'nas-studio', producerVersion: options.producerVersion, metadata: options.metadata });
  return { bytes, nodes: b.nodes.length, weights: b.weights };
}
