/**
 * A trainable model from a model spec (spec.ts): one tfjs variable per parameter and buffer,
 * named as the spec names them, and a forward pass that runs the graph's nodes in order.
 *
 * The forward pass is the graph's function, computed with less work:
 * - identity nodes (and dropout with p = 0) pass their input on;
 * - parameter-free nodes that repeat an earlier one (same op, attributes and inputs) reuse
 *   its output: the edges leaving a NAS-Bench-201 or DARTS node all start with ReLU of the
 *   same tensor, so it is computed (and differentiated) once, as reference-nets.ts does by hand;
 * - a `zero` op's output is known to be zero: a sum skips it, a product is zero; other
 *   consumers get a zero tensor;
 * - nodes the output does not depend on are not run (their parameters still exist, as they
 *   would in PyTorch, and are counted);
 * - each intermediate tensor is disposed as soon as its last consumer has run (what the
 *   backward pass needs, tfjs keeps by reference until it has run).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Definition } from '../../language/syntax/generated/ast.js';
import type { ElaborationResult } from '../../semantics/evaluator/index.js';
import type { TrainableModel } from '../model.js';
import { ParamRegistry, batchNorm, type Layer, type SharedVariables } from '../layers.js';
import { describeModel, type ModelSpec, type SpecNode } from './spec.js';
import * as ops from './ops.js';

export interface BuildOptions {
  /** Initialisation seed (each tensor's draw also depends on its name, so unrelated edits keep it). */
  seed?: number;
  /** Variables shared with other models (a supernet's weight store): the model neither makes nor frees them. */
  shared?: SharedVariables;
}

/**
 * Sees each node's output during a forward pass, by spec node id (undefined: a known zero).
 * The tensor is disposed after the pass: read it inside the call.
 */
export type NodeObserver = (id: number, value: tf.Tensor4D | undefined) => void;

/** A model built from a `.nas` network, with the spec it was built from. */
export interface BuiltModel extends TrainableModel {
  readonly spec: ModelSpec;
  /** `observe` sees every node's output (tests compare them, or the branches ReLUs took, with PyTorch's). */
  forward(x: tf.Tensor4D, training: boolean, observe?: NodeObserver): tf.Tensor2D;
}

/** A `zero` op's output: known to be zero, materialised only if a consumer needs the values. */
interface Zero {
  readonly zero: true;
  readonly shape: readonly [number, number, number];
}
type Value = tf.Tensor4D | Zero;
const isZero = (v: Value): v is Zero => (v as Zero).zero === true;

type Run = (ins: readonly Value[], training: boolean, batch: number) => Value;

interface Step {
  readonly id: number;
  readonly inputs: readonly number[];
  readonly run: Run;
}

function materialize(v: Value, batch: number): tf.Tensor4D {
  return isZero(v) ? tf.zeros([batch, v.shape[1], v.shape[2], v.shape[0]]) : v;
}

const PURE = new Set([
  'relu',
  'relu6',
  'hswish',
  'hsigmoid',
  'swish',
  'sigmoid',
  'maxpool',
  'avgpool',
  'gap',
  'flatten',
  'zero',
  'add',
  'concat',
  'mul',
  'channel_shuffle',
  'split',
  'upsample',
]);

/** The function of one node, its variables created in `p`. */
function compileNode(node: SpecNode, spec: ModelSpec, p: ParamRegistry, counters: tf.Variable[]): Run {
  const a = node.attrs as Record<string, number & boolean> & ops.ConvAttrs;
  const inShape = node.inputs.length ? spec.nodes[node.inputs[0]!]!.shape : node.shape;
  const one = (f: (x: tf.Tensor4D) => tf.Tensor4D): Run => {
    return (ins, _t, n) => f(materialize(ins[0]!, n));
  };
  const variable = (role: string): tf.Variable | undefined => {
    const spec = node.params.find((q) => q.role === role);
    if (!spec) return undefined;
    const shape = [...spec.shape];
    if ('uniform' in spec.init) return p.uniform(spec.name, shape, spec.init.uniform);
    return p.constant(spec.name, shape, spec.init.constant, spec.trainable, spec.dtype);
  };
  switch (node.op) {
    case 'conv':
    case 'dwconv': {
      const w = variable('weight') as tf.Tensor4D;
      const b = variable('bias') as tf.Tensor1D | undefined;
      return one((x) => {
        const y = ops.conv(x, w, a);
        return b ? tf.add(y, b) : y;
      });
    }
    case 'bn': {
      // weight, bias, running_mean, running_var; num_batches_tracked is counted by the model (see counters).
      const layer: Layer = batchNorm(p, node.name, a.c, { affine: a.affine });
      counters.push(variable('num_batches_tracked')!);
      if (a.pad > 0) return bnAndPad(layer, p, node.name, a.pad, a.eps, inShape);
      return (ins, training, n) => layer(materialize(ins[0]!, n), training);
    }
    case 'gn': {
      const g = variable('weight') as tf.Tensor1D;
      const b = variable('bias') as tf.Tensor1D;
      return one((x) => ops.groupNorm(x, a.groups, g, b, a.eps));
    }
    case 'fc': {
      const w = variable('weight') as tf.Tensor2D;
      const b = variable('bias') as tf.Tensor1D | undefined;
      return one((x) => ops.linear(x, w, b));
    }
    case 'maxpool':
      return one((x) => ops.maxPool(x, a.k, a.stride, a.pad));
    case 'avgpool': {
      const scale = a.pad > 0 && !a.count_include_pad ? p.keep(ops.excludePadScale(inShape[1], inShape[2], a.k, a.stride, a.pad)) : undefined;
      return one((x) => ops.avgPool(x, a.k, a.stride, a.pad, scale));
    }
    case 'gap':
      return one((x) => tf.mean(x, [1, 2], true));
    case 'flatten':
      return one((x) => tf.reshape(ops.flattenTorchOrder(x), [x.shape[0], 1, 1, node.shape[0]]));
    case 'relu':
      return one((x) => tf.relu(x));
    case 'relu6':
      return one((x) => tf.relu6(x));
    case 'sigmoid':
      return one((x) => tf.sigmoid(x));
    case 'hswish':
      return one(ops.hardSwish);
    case 'hsigmoid':
      return one(ops.hardSigmoid);
    case 'swish':
      return one(ops.swish);
    case 'dropout':
      return (ins, training, n) => (training && a.p > 0 ? ops.dropout(materialize(ins[0]!, n), a.p) : ins[0]!);
    case 'identity':
      return (ins) => ins[0]!;
    case 'zero':
      return () => ({ zero: true, shape: node.shape });
    case 'add':
      return (ins) => {
        const live = ins.filter((v): v is tf.Tensor4D => !isZero(v));
        if (live.length === 0) return { zero: true, shape: node.shape };
        return live.length === 1 ? live[0]! : live.length === 2 ? (tf.add(live[0]!, live[1]!) as tf.Tensor4D) : (tf.addN(live) as tf.Tensor4D);
      };
    case 'mul':
      return (ins) => (ins.some(isZero) ? { zero: true, shape: node.shape } : (ins as tf.Tensor4D[]).reduce((x, y) => tf.mul(x, y)));
    case 'concat':
      return (ins, _t, n) =>
        ins.length === 1
          ? ins[0]!
          : tf.concat(
              ins.map((v) => materialize(v, n)),
              3,
            );
    case 'channel_shuffle':
      return one((x) => ops.channelShuffle(x, a.groups));
    case 'split':
      return one((x) => ops.splitChannels(x, a.parts, a.index));
    case 'upsample':
      return one((x) => ops.upsampleNearest(x, a.scale));
    case 'input':
      return (ins) => ins[0]!;
    default:
      throw new Error(`op '${node.op}' has no implementation in the model builder`);
  }
}

/**
 * DBB's BN-and-pad (Ding, Zhang, Han & Ding 2021, "Diverse Branch Block", the reference's
 * BNAndPadLayer): the BN of the unpadded input (batch statistics in training), its output
 * padded by `pad` pixels holding β − μ·γ/σ from the running estimates, with γ and β detached,
 * as the reference computes them. In eval mode that border is BN(0): the BN of the input
 * zero-padded, which is what lets a 1x1 conv, this BN and an unpadded kxk conv fuse.
 */
function bnAndPad(layer: Layer, p: ParamRegistry, name: string, pad: number, eps: number, inShape: readonly number[]): Run {
  const [c, h, w] = inShape as [number, number, number];
  const gamma = p.trainable.get(`${name}.weight`);
  const beta = p.trainable.get(`${name}.bias`);
  const mean = p.state.get(`${name}.running_mean`)!;
  const variance = p.state.get(`${name}.running_var`)!;
  const border = p.keep(ops.borderMask(h, w, pad));
  return (ins, training, n) => {
    const y = layer(materialize(ins[0]!, n), training);
    // After the layer ran: in training it has just updated the running estimates, as PyTorch's.
    const scale = tf.div(gamma ? ops.detach(gamma) : tf.ones([c]), tf.sqrt(tf.add(variance, eps)));
    const value = tf.sub(beta ? ops.detach(beta) : tf.zeros([c]), tf.mul(mean, scale));
    return tf.add(ops.zeroPad(y, pad), tf.mul(border, value)) as tf.Tensor4D;
  };
}

interface Compiled {
  steps: Step[];
  /** `num_batches_tracked` of the batch norms that run (those of dead nodes stay 0, as in PyTorch). */
  batchCounters: tf.Variable[];
  /** The spec nodes whose output each step's is (itself, identities, repeats of it). */
  aliases: Map<number, number[]>;
  /** How many steps read each node's output (plus one for the model's output). */
  uses: Map<number, number>;
  inputId: number;
  outputId: number;
}

/** Aliases (identity, repeats of pure nodes) and the live nodes: what a forward pass computes. */
export function plan(spec: ModelSpec): { canon: number[]; live: boolean[]; inputId: number } {
  const canon: number[] = [];
  const seen = new Map<string, number>();
  let inputId = -1;
  for (const node of spec.nodes) {
    const ins = node.inputs.map((i) => canon[i]!);
    if (node.op === 'input' && inputId < 0) inputId = node.id;
    if (node.op === 'identity' || (node.op === 'dropout' && node.attrs.p === 0)) {
      canon[node.id] = ins[0]!;
      continue;
    }
    if (PURE.has(node.op)) {
      const key = `${node.op}|${JSON.stringify(node.attrs)}|${ins.join(',')}`;
      const prev = seen.get(key);
      if (prev !== undefined) {
        canon[node.id] = prev;
        continue;
      }
      seen.set(key, node.id);
    }
    canon[node.id] = node.id;
  }
  const live = new Array<boolean>(spec.nodes.length).fill(false);
  const stack = [canon[spec.output]!];
  live[stack[0]!] = true;
  while (stack.length) {
    const id = stack.pop()!;
    for (const i of spec.nodes[id]!.inputs) {
      const c = canon[i]!;
      if (!live[c]) {
        live[c] = true;
        stack.push(c);
      }
    }
  }
  return { canon, live, inputId };
}

/**
 * The variables made are exactly the spec's parameters (names, shapes, kinds), so that the
 * spec's count is the model's and a checkpoint named after the spec loads into it.
 */
function checkVariables(spec: ModelSpec, p: ParamRegistry): void {
  const expected = spec.nodes.flatMap((n) => n.params);
  const made = p.trainable.size + p.state.size;
  for (const q of expected) {
    const v = (q.trainable ? p.trainable : p.state).get(q.name);
    if (!v || v.shape.join() !== q.shape.join() || v.dtype !== q.dtype) throw new Error(`model builder: variable ${q.name} does not match its spec`);
  }
  if (made !== expected.length) throw new Error(`model builder: ${made} variables made for ${expected.length} in the spec`);
}

function compile(spec: ModelSpec, p: ParamRegistry): Compiled {
  const { canon, live, inputId } = plan(spec);
  if (inputId < 0) throw new Error('the network has no input node');
  const steps: Step[] = [];
  const uses = new Map<number, number>();
  const aliases = new Map<number, number[]>();
  for (const node of spec.nodes) {
    const c = canon[node.id]!;
    (aliases.get(c) ?? (aliases.set(c, []), aliases.get(c)!)).push(node.id);
  }
  const batchCounters: tf.Variable[] = [];
  for (const node of spec.nodes) {
    // Every parameter is created, also those of nodes that do not run (PyTorch has them too).
    const counters: tf.Variable[] = [];
    const run = compileNode(node, spec, p, counters);
    if (canon[node.id] !== node.id || !live[node.id] || node.op === 'input') continue;
    batchCounters.push(...counters);
    const inputs = node.inputs.map((i) => canon[i]!);
    for (const i of inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
    steps.push({ id: node.id, inputs, run });
  }
  checkVariables(spec, p);
  const outputId = canon[spec.output]!;
  uses.set(outputId, (uses.get(outputId) ?? 0) + 1);
  return { steps, batchCounters, aliases, uses, inputId, outputId };
}

/**
 * Runs the compiled graph on x. Each tensor is disposed when its last reader has run; a
 * reference count per tensor object covers nodes that pass a tensor on unchanged.
 */
function runGraph(c: Compiled, x: tf.Tensor4D, training: boolean, observe?: NodeObserver): tf.Tensor2D {
  const n = x.shape[0];
  const values = new Map<number, Value>([[c.inputId, x]]);
  const show = (id: number, v: Value): void => {
    for (const a of c.aliases.get(id) ?? []) observe!(a, isZero(v) ? undefined : v);
  };
  if (observe) show(c.inputId, x);
  const refs = new Map<tf.Tensor, number>();
  const hold = (v: Value, count: number): void => {
    if (!isZero(v) && v !== x) refs.set(v, (refs.get(v) ?? 0) + count);
  };
  const release = (v: Value): void => {
    if (isZero(v) || v === x) return;
    const left = refs.get(v)! - 1;
    if (left > 0) refs.set(v, left);
    else {
      refs.delete(v);
      v.dispose();
    }
  };
  for (const step of c.steps) {
    const ins = step.inputs.map((i) => values.get(i)!);
    // The op's temporaries (padded copies, dilated kernels) go when it returns.
    const out = tf.tidy(() => step.run(ins, training, n) as tf.Tensor4D) as Value;
    values.set(step.id, out);
    if (observe) show(step.id, out);
    hold(out, c.uses.get(step.id) ?? 0);
    for (const v of ins) release(v);
  }
  const last = values.get(c.outputId)!;
  const out = materialize(last, n);
  const logits = ops.flattenTorchOrder(out);
  if (out !== last) out.dispose();
  else release(last);
  return logits;
}

export function buildModel(spec: ModelSpec, opts: BuildOptions = {}): BuiltModel {
  const p = new ParamRegistry(opts.seed ?? 0, opts.shared);
  let compiled: Compiled;
  try {
    compiled = compile(spec, p);
  } catch (e) {
    p.dispose();
    throw e;
  }
  let disposed = false;
  // PyTorch's num_batches_tracked, counted here and written to the variables when the state
  // is read (a checkpoint save): an int32 add and assign per batch norm per step otherwise.
  let batches = 0;
  const syncCounters = (): void => {
    if (batches === 0 || disposed) return;
    const add = batches;
    batches = 0;
    tf.tidy(() => {
      for (const v of compiled.batchCounters) v.assign(tf.add(v, tf.scalar(add, 'int32')));
    });
  };
  return {
    name: spec.name,
    spec,
    trainable: p.trainable,
    get state() {
      syncCounters();
      return p.state;
    },
    forward(x, training, observe) {
      if (disposed) throw new Error(`model ${spec.name} used after dispose()`);
      const [, h, w, c] = x.shape;
      const [ic, ih, iw] = spec.input;
      if (h !== ih || w !== iw || c !== ic) throw new Error(`model ${spec.name} takes ${ic}x${ih}x${iw} images, got ${c}x${h}x${w}`);
      if (training) batches++;
      return runGraph(compiled, x, training, observe);
    },
    paramCount: () => p.paramCount(),
    dispose() {
      if (disposed) return;
      disposed = true;
      p.dispose();
    },
  };
}

/** `describeModel` then `buildModel`. */
export function buildModelFromResult(result: ElaborationResult, network?: Definition, opts: BuildOptions = {}): BuiltModel {
  return buildModel(describeModel(result, network), opts);
}
