/**
 * The model spec: an elaborated network as a plain, JSON-ready list of ops with resolved
 * attributes, inputs and named parameters. The engine builds its model from it (build.ts),
 * the PyTorch parity test builds a torch.nn.Module from its JSON, and both name every tensor
 * the same way (naming.ts), so a checkpoint written by one loads into the other.
 *
 * Parameter layouts are the engine's (NHWC): convolution weights [kh, kw, in/groups, out]
 * (PyTorch [out, in/groups, kh, kw], permutation [3, 2, 0, 1]); linear weights [in, out]
 * (PyTorch [out, in]); everything else as in PyTorch. A linear layer reads its input
 * flattened in PyTorch's C·H·W order, so its weight rows are PyTorch's columns.
 */
import type { ElaborationResult } from '../../semantics/evaluator/index.js';
import type { Definition } from '../../language/syntax/generated/ast.js';
import type { Attrs } from '../../semantics/ops.js';
import { nodeModulePaths } from './naming.js';

export const MODEL_SPEC_FORMAT = 'nas-studio/model-spec@1';

export type ParamRole = 'weight' | 'bias' | 'running_mean' | 'running_var' | 'num_batches_tracked';

export interface ParamSpec {
  /** The tensor's name in checkpoints: the node's module path and the role (`stem.conv.weight`). */
  readonly name: string;
  readonly role: ParamRole;
  /** The engine's shape (see the file comment for layouts). */
  readonly shape: readonly number[];
  /** PyTorch's shape of the same tensor. */
  readonly torchShape: readonly number[];
  /** How to turn the engine's tensor into PyTorch's: a permutation of its axes (identity if absent). */
  readonly toTorch?: readonly number[];
  readonly dtype: 'float32' | 'int32';
  /** Trainable (a parameter) or state (a buffer). */
  readonly trainable: boolean;
  /** PyTorch's default initialisation: U(−bound, bound) (kaiming_uniform_(a=√5) for weights), or a constant. */
  readonly init: { readonly uniform: number } | { readonly constant: number };
}

export type SpecAttrs = Readonly<Record<string, number | boolean>>;

export interface SpecNode {
  readonly id: number;
  /** The graph's op name (`conv`, `dwconv`, `bn`, ...), or `input`. */
  readonly op: string;
  /** Module path (naming.ts): unique, the prefix of the node's parameter names. */
  readonly name: string;
  readonly inputs: readonly number[];
  /** Output shape of one image: channels, height, width. */
  readonly shape: readonly [number, number, number];
  /** Attributes resolved to numbers (defaults applied, `-1` conventions expanded). */
  readonly attrs: SpecAttrs;
  readonly params: readonly ParamSpec[];
  /** The graph scope, for messages. */
  readonly scope: string;
}

export interface ModelSpec {
  readonly format: typeof MODEL_SPEC_FORMAT;
  readonly name: string;
  /** Channels, height, width of one input image. */
  readonly input: readonly [number, number, number];
  readonly output: number;
  /** Topologically ordered (every input precedes its consumers); ids are the graph's. */
  readonly nodes: readonly SpecNode[];
}

/** A network the builder cannot make (an unknown op, or no output). */
export class ModelBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelBuildError';
  }
}

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;
const GN_EPS = 1e-5;

const num = (a: Attrs, k: string): number => a[k] as number;

/** PyTorch's "same" padding of the DSL (`pad = -1`): dilation·(k − 1)/2, rounded down. */
const samePad = (k: number, d: number): number => Math.floor((d * (k - 1)) / 2);

function param(node: string, role: ParamRole, shape: number[], opts: Partial<ParamSpec> = {}): ParamSpec {
  const trainable = role === 'weight' || role === 'bias';
  return {
    name: `${node}.${role}`,
    role,
    shape,
    torchShape: opts.torchShape ?? shape,
    ...(opts.toTorch ? { toTorch: opts.toTorch } : {}),
    dtype: role === 'num_batches_tracked' ? 'int32' : 'float32',
    trainable: opts.trainable ?? trainable,
    init: opts.init ?? { constant: role === 'running_var' ? 1 : 0 },
  };
}

/** Resolved attributes and parameters of one node. */
function resolve(op: string, a: Attrs, name: string, inC: number, inH: number, inW: number): { attrs: SpecAttrs; params: ParamSpec[] } {
  switch (op) {
    case 'conv':
    case 'dwconv': {
      const dw = op === 'dwconv';
      const k = num(a, 'k');
      const kh = dw || num(a, 'kh') < 0 ? k : num(a, 'kh');
      const kw = dw || num(a, 'kw') < 0 ? k : num(a, 'kw');
      const dilation = num(a, 'dilation');
      const groups = dw ? inC : num(a, 'groups');
      const out = dw ? inC * num(a, 'multiplier') : num(a, 'out');
      const pad = num(a, 'pad');
      const bias = a['bias'] === true;
      const fanIn = (inC / groups) * kh * kw;
      const bound = 1 / Math.sqrt(fanIn);
      const params = [
        param(name, 'weight', [kh, kw, inC / groups, out], { torchShape: [out, inC / groups, kh, kw], toTorch: [3, 2, 0, 1], init: { uniform: bound } }),
      ];
      if (bias) params.push(param(name, 'bias', [out], { init: { uniform: bound } }));
      const attrs = {
        in: inC,
        out,
        kh,
        kw,
        stride: num(a, 'stride'),
        pad_h: pad < 0 ? samePad(kh, dilation) : pad,
        pad_w: pad < 0 ? samePad(kw, dilation) : pad,
        dilation,
        groups,
        bias,
      };
      return { attrs, params };
    }
    case 'bn': {
      const affine = a['affine'] !== false;
      const params = affine ? [param(name, 'weight', [inC], { init: { constant: 1 } }), param(name, 'bias', [inC])] : [];
      params.push(param(name, 'running_mean', [inC]), param(name, 'running_var', [inC]), param(name, 'num_batches_tracked', []));
      // pad > 0: DBB's BN-and-pad (the output padded with the value BN gives a zero).
      return { attrs: { c: inC, affine, eps: BN_EPS, momentum: BN_MOMENTUM, pad: (a['pad'] as number | undefined) ?? 0 }, params };
    }
    case 'gn':
      return {
        attrs: { c: inC, groups: num(a, 'groups'), eps: GN_EPS },
        params: [param(name, 'weight', [inC], { init: { constant: 1 } }), param(name, 'bias', [inC])],
      };
    case 'fc': {
      const fin = inC * inH * inW;
      const out = num(a, 'out');
      const bias = a['bias'] !== false;
      const bound = 1 / Math.sqrt(fin);
      const params = [param(name, 'weight', [fin, out], { torchShape: [out, fin], toTorch: [1, 0], init: { uniform: bound } })];
      if (bias) params.push(param(name, 'bias', [out], { init: { uniform: bound } }));
      return { attrs: { in: fin, out, bias }, params };
    }
    case 'maxpool':
    case 'avgpool': {
      const k = num(a, 'k');
      const stride = num(a, 'stride') < 0 ? k : num(a, 'stride');
      const attrs: Record<string, number | boolean> = { k, stride, pad: num(a, 'pad') };
      if (op === 'avgpool') attrs.count_include_pad = a['count_include_pad'] !== false;
      return { attrs, params: [] };
    }
    case 'zero':
      return { attrs: { stride: num(a, 'stride'), out: num(a, 'out') < 0 ? inC : num(a, 'out') }, params: [] };
    case 'channel_shuffle':
      return { attrs: { groups: num(a, 'groups') }, params: [] };
    case 'split':
      return { attrs: { parts: num(a, 'parts'), index: num(a, 'index') }, params: [] };
    case 'upsample':
      return { attrs: { scale: num(a, 'scale') }, params: [] };
    case 'dropout':
      return { attrs: { p: num(a, 'p') }, params: [] };
    case 'input':
    case 'gap':
    case 'flatten':
    case 'relu':
    case 'relu6':
    case 'hswish':
    case 'hsigmoid':
    case 'swish':
    case 'sigmoid':
    case 'identity':
    case 'add':
    case 'concat':
    case 'mul':
      return { attrs: {}, params: [] };
    default:
      throw new ModelBuildError(`the training engine has no implementation of op '${op}'`);
  }
}

/**
 * The spec of an elaborated network (a `network`, or one architecture of a `space`).
 * `network` is the definition elaborated (it tells the network's own statements from those
 * of its blocks); `name` defaults to its name. `modulePaths` are the nodes' module paths
 * when the caller has them already (naming.ts).
 */
export function describeModel(result: ElaborationResult, network?: Definition, name?: string, modulePaths?: readonly string[]): ModelSpec {
  const g = result.graph;
  if (!result.output || !result.input) throw new ModelBuildError('the network has no input or no output');
  if (result.diagnostics.some((d) => d.severity === 'error')) throw new ModelBuildError('the network has errors (run nas check)');
  const paths = modulePaths ?? nodeModulePaths(result, network);
  const nodes: SpecNode[] = [];
  for (let id = 0; id < g.size; id++) {
    const op = g.opOf(id);
    const inputs = g.inputsOf(id);
    const first = inputs.length ? g.shapeOf(inputs[0]!) : g.shapeOf(id);
    const { attrs, params } = resolve(op, g.attrsOf(id), paths[id]!, first.c, first.h, first.w);
    const s = g.shapeOf(id);
    nodes.push({ id, op, name: paths[id]!, inputs, shape: [s.c, s.h, s.w], attrs, params, scope: g.scopeOf(id) });
  }
  const inp = result.input;
  return { format: MODEL_SPEC_FORMAT, name: name ?? network?.name ?? 'network', input: [inp.c, inp.h, inp.w], output: result.output.node, nodes };
}

/** Trainable scalars of the spec: what the built model's `paramCount()` returns. */
export function specParamCount(spec: ModelSpec): number {
  let n = 0;
  for (const node of spec.nodes) for (const p of node.params) if (p.trainable) n += p.shape.reduce((a, b) => a * b, 1);
  return n;
}
