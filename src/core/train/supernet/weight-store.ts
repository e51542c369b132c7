/**
 * One set of weights for every architecture of a space (weight sharing, as in ENAS, Pham et
 * al. 2018, and SPOS, Guo et al. 2020, "Single Path One-Shot Neural Architecture Search with
 * Uniform Sampling"): a store of tfjs variables that the models of the space's paths use
 * directly, so that training one path updates the tensors every other path using them reads.
 *
 * A tensor's key in the store says which op of the space it belongs to:
 *
 *   <weight name> | <op call site> | <enclosing choices = options> | <shape>[/d<dilation>][/g<groups>]
 *
 * - the weight name is the model builder's (naming.ts: the node's module path and the role);
 * - the op call site (`ReLUConvBN@3:5`, the definition and line:column of the call) tells
 *   apart two ops whose names coincide because an earlier choice shifted an ordinal;
 * - the options of the choices being decided when the op was made (the graph's choice keys):
 *   the BN of NAS-Bench-201's 1x1 ReLU-conv-BN and that of its 3x3 one share a name and a
 *   shape but are different options of one choice, so they get their own tensors, as in SPOS;
 * - the shape, and the dilation and groups of a convolution: a choice inside an op's
 *   arguments (`conv(choice(16, 32), k=choice(3, 5))`) shares a tensor only between options
 *   that give the same filter (the same op with the same shapes); a stride choice shares.
 * docs/adr/0019-supernet-weight-store.md says why this store rather than a supernet module.
 */
import * as tf from '@tensorflow/tfjs-core';
import { siteId, type ElaborationResult } from '../../semantics/evaluator/index.js';
import type { SharedVariables } from '../layers.js';
import type { ModelSpec } from '../model-builder/index.js';
import { toFloat32, type SafeTensor } from '../safetensors.js';

/**
 * The store key of every parameter and buffer of a path's model, by its weight name. With
 * `slices`, keys leave out the shape (weight-slices.ts: one largest tensor per op, sliced).
 */
export function sharedWeightKeys(result: ElaborationResult, spec: ModelSpec, decisions: ReadonlyMap<string, number>, slices = false): Map<string, string> {
  const g = result.graph;
  const keys = new Map<string, string>();
  for (const node of spec.nodes) {
    if (node.params.length === 0) continue;
    const source = g.sourceOf(node.id);
    const site = source ? siteId(source) : '';
    const options = g
      .choiceKeysOf(node.id)
      .map((k) => `${k}=${decisions.get(k) ?? '?'}`)
      .join(',');
    const a = node.attrs;
    // Slices of one tensor serve every width, so a depthwise conv's groups (its width) stay out.
    const groups = !slices && a['groups'] !== undefined && a['groups'] !== 1 ? `/g${a['groups']}` : '';
    const extra = (a['dilation'] !== undefined && a['dilation'] !== 1 ? `/d${a['dilation']}` : '') + groups;
    for (const p of node.params) keys.set(p.name, `${p.name}|${site}|${options}|${slices ? '' : p.shape.join('x')}${extra}`);
  }
  return keys;
}

/** Trainable (weights, biases) or state (running statistics), from the weight name's role. */
function isTrainableKey(key: string): boolean {
  const name = key.slice(0, key.indexOf('|'));
  return name.endsWith('.weight') || name.endsWith('.bias');
}

/** tfjs variable names are global: each store's are prefixed with its own number. */
let nextStoreId = 0;

export class WeightStore {
  private readonly prefix = `supernet${nextStoreId++}`;
  private readonly vars = new Map<string, tf.Variable>();
  private readonly momenta = new Map<string, tf.Variable>();
  private uid = 0;
  private disposed = false;

  /** Number of tensors held (weights, biases and running statistics). */
  get size(): number {
    return this.vars.size;
  }

  /** Trainable scalars held. */
  paramCount(): number {
    let n = 0;
    for (const [k, v] of this.vars) if (isTrainableKey(k)) n += v.size;
    return n;
  }

  has(key: string): boolean {
    return this.vars.has(key);
  }

  /** The tensor of a key (tests: two paths that share an option read the same variable). */
  variable(key: string): tf.Variable | undefined {
    return this.vars.get(key);
  }

  keys(): IterableIterator<string> {
    return this.vars.keys();
  }

  /**
   * The variables of one path's model (`buildModel(spec, { shared })`): the store's tensor of
   * each weight's key, made from the model's own initial value the first time a key is met
   * (the builder's seeded draw, so a store is deterministic whatever order paths come in).
   */
  sharedFor(keys: ReadonlyMap<string, string>): SharedVariables {
    return (name, init, trainable) => {
      const key = keys.get(name);
      if (key === undefined) throw new Error(`weight ${name} has no key in the supernet's store`);
      let v = this.vars.get(key);
      if (v) init.dispose();
      else {
        this.check();
        v = tf.variable(init, trainable, `${this.prefix}/${this.uid++}/${name}`);
        init.dispose();
        this.vars.set(key, v);
      }
      return v;
    };
  }

  /** The SGD momentum buffer of each weight, shared per key as the weights are (createSgdStep's `momentumBuffer`). */
  momentumFor(keys: ReadonlyMap<string, string>): (name: string, v: tf.Variable) => tf.Variable {
    return (name, v) => {
      const key = keys.get(name)!;
      let b = this.momenta.get(key);
      if (!b) {
        this.check();
        b = tf.tidy(() => tf.variable(tf.zerosLike(v), false, `${this.prefix}/momentum${this.uid++}/${name}`));
        this.momenta.set(key, b);
      }
      return b;
    };
  }

  /**
   * Sets the tensor of a key to `value` (kept by the store, which disposes it later): assigned
   * when the shape is the same, else the old variable is replaced. `momentum`: the key's
   * momentum buffer instead (weight-slices.ts grows its tensors this way).
   */
  put(key: string, value: tf.Tensor, trainable: boolean, momentum = false): tf.Variable {
    this.check();
    const map = momentum ? this.momenta : this.vars;
    const old = map.get(key);
    if (old && old.shape.length === value.shape.length && old.shape.every((d, i) => d === value.shape[i])) {
      old.assign(value);
      value.dispose();
      return old;
    }
    old?.dispose();
    const name = key.slice(0, key.indexOf('|'));
    const v = tf.variable(value, trainable, `${this.prefix}/${momentum ? 'momentum' : ''}${this.uid++}/${name}`);
    value.dispose();
    map.set(key, v);
    return v;
  }

  /** The momentum buffer of a key, if it has one. */
  momentum(key: string): tf.Variable | undefined {
    return this.momenta.get(key);
  }

  /** Momentum buffers are training state only: dropped once the supernet is trained. */
  dropMomenta(): void {
    for (const b of this.momenta.values()) b.dispose();
    this.momenta.clear();
  }

  /** Every tensor by key, for a safetensors file. */
  tensors(): Map<string, SafeTensor> {
    const out = new Map<string, SafeTensor>();
    for (const [k, v] of this.vars) {
      if (v.dtype === 'int32') out.set(k, { dtype: 'I32', shape: [...v.shape], data: Int32Array.from(v.dataSync() as Int32Array) });
      else out.set(k, { dtype: 'F32', shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) });
    }
    return out;
  }

  /** Fills an empty store from a safetensors file's tensors (keys as `tensors()` wrote them). */
  load(tensors: ReadonlyMap<string, SafeTensor>): void {
    this.check();
    if (this.vars.size) throw new Error('the supernet store is not empty');
    for (const [k, t] of tensors) {
      const dtype = t.dtype === 'I32' || t.dtype === 'I64' ? 'int32' : 'float32';
      const data = dtype === 'int32' ? Int32Array.from(t.data as ArrayLike<number>, Number) : toFloat32(t);
      const init = tf.tensor(data, t.shape, dtype);
      this.vars.set(k, tf.variable(init, isTrainableKey(k), `${this.prefix}/${this.uid++}/${k.slice(0, k.indexOf('|'))}`));
      init.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropMomenta();
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  private check(): void {
    if (this.disposed) throw new Error('supernet store used after dispose()');
  }
}
