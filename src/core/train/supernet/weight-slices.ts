/**
 * Sharing by slices (`share = "slices"`): one tensor per op of the space, as large as the
 * largest option met, and every option uses a slice of it: the leading channels, and the
 * central part of a convolution's kernel. SPOS searches channel numbers this way (Guo et al.
 * 2020, §3.3: "preallocate a weight tensor with the maximum number of channels ... slice out
 * the corresponding subtensor"), and Once-for-All shares kernels by their centre (Cai et al.,
 * ICLR 2020, without its kernel transformation matrices). A layer-wise width and kernel space
 * then trains each layer on every batch instead of one tensor per shape combination.
 *
 * A path's model has its own variables; `gather` copies the slices into them before a step
 * or a scoring, `scatter` writes the trained values (and momentum buffers) back. A tensor
 * grows when a path needs more than it has: the old values keep their place (centred kernels
 * stay centred), the new part starts from the path's initial values. Running statistics are
 * not shared: a subnet's are recomputed before it is scored (bn-recalibration.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BuiltModel } from '../model-builder/index.js';
import type { WeightStore } from './weight-store.js';

interface Slot {
  readonly key: string;
  /** Axes taken from the centre (a convolution's kernel height and width); the others from 0. */
  readonly centred: readonly number[];
}

/** Where a `size` slice starts in a tensor of `full` along each axis. */
function beginOf(full: readonly number[], size: readonly number[], centred: readonly number[]): number[] {
  return size.map((s, d) => (centred.includes(d) ? Math.floor((full[d]! - s) / 2) : 0));
}

function padOf(full: readonly number[], size: readonly number[], begin: readonly number[]): [number, number][] {
  return size.map((s, d) => [begin[d]!, full[d]! - s - begin[d]!]);
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export class SliceSharing {
  constructor(private readonly store: WeightStore) {}

  /** The slot of each trainable weight of a path's model (keys from `sharedWeightKeys(..., true)`). */
  slots(model: BuiltModel, keys: ReadonlyMap<string, string>): Map<string, Slot> {
    const out = new Map<string, Slot>();
    for (const node of model.spec.nodes) {
      for (const p of node.params) {
        if (!p.trainable) continue;
        const conv = (node.op === 'conv' || node.op === 'dwconv') && p.role === 'weight';
        out.set(p.name, { key: keys.get(p.name)!, centred: conv ? [0, 1] : [] });
      }
    }
    return out;
  }

  /**
   * Copies each weight's slice into the model (and each momentum buffer's, when `buffers`
   * are given), growing or creating the store's tensors from the model's own values first.
   */
  gather(model: BuiltModel, slots: ReadonlyMap<string, Slot>, buffers?: ReadonlyMap<string, tf.Variable>): void {
    tf.tidy(() => {
      for (const [name, slot] of slots) {
        const v = model.trainable.get(name)!;
        const full = this.ensure(slot, v, false);
        v.assign(sameShape(full.shape, v.shape) ? full : tf.slice(full, beginOf(full.shape, v.shape, slot.centred), v.shape));
        const b = buffers?.get(name);
        if (!b) continue;
        const m = this.ensure(slot, b, true);
        b.assign(sameShape(m.shape, b.shape) ? m : tf.slice(m, beginOf(m.shape, b.shape, slot.centred), b.shape));
      }
    });
  }

  /** Writes the model's weights (and momentum buffers) back into their slices. */
  scatter(model: BuiltModel, slots: ReadonlyMap<string, Slot>, buffers?: ReadonlyMap<string, tf.Variable>): void {
    tf.tidy(() => {
      for (const [name, slot] of slots) {
        write(this.store.variable(slot.key)!, model.trainable.get(name)!, slot.centred);
        const b = buffers?.get(name);
        if (b) write(this.store.momentum(slot.key)!, b, slot.centred);
      }
    });
  }

  /** The store's tensor of a slot, at least as large as `v` on every axis. */
  private ensure(slot: Slot, v: tf.Variable, momentum: boolean): tf.Tensor {
    const old = momentum ? this.store.momentum(slot.key) : this.store.variable(slot.key);
    const init = momentum ? tf.zerosLike(v) : v;
    if (!old) return this.store.put(slot.key, tf.clone(init), true, momentum);
    if (old.shape.every((d, i) => d >= v.shape[i]!)) return old;
    const full = old.shape.map((d, i) => Math.max(d, v.shape[i]!));
    const oldPad = padOf(full, old.shape, beginOf(full, old.shape, slot.centred));
    const newPad = padOf(full, v.shape, beginOf(full, v.shape, slot.centred));
    const covered = tf.pad(tf.onesLike(old), oldPad);
    const grown = tf.add(tf.pad(old, oldPad), tf.mul(tf.pad(init, newPad), tf.sub(1, covered)));
    return this.store.put(slot.key, tf.keep(grown), true, momentum);
  }
}

/** full[slice] = part. */
function write(full: tf.Variable, part: tf.Tensor, centred: readonly number[]): void {
  if (sameShape(full.shape, part.shape)) {
    full.assign(part);
    return;
  }
  const pad = padOf(full.shape, part.shape, beginOf(full.shape, part.shape, centred));
  const mask = tf.pad(tf.onesLike(part), pad);
  full.assign(tf.add(tf.mul(full, tf.sub(1, mask)), tf.pad(part, pad)));
}
