/**
 * The block and cell instances recorded for one definition (instance-memo.ts records and
 * replays them), and how an application is looked up among them: by a hash of its argument
 * values and input signature, checked against the kept ones, or by a key string where a hash
 * does not cover an argument (lists, definition references).
 */
import type * as ast from '../../language/syntax/generated/ast.js';
import { fingerprintOf } from '../dependencies.js';
import type { Shape } from '../shape.js';
import type { TensorValue, Value } from '../values.js';
import { stateOf } from './definition-state.js';
import { flatHash, sameValues, valuesKey } from './value-keys.js';

/**
 * What applying a block or cell did, for replaying it. The nodes of the first run, in order,
 * and the statements it ran, in two exactly sized arrays, numbers and objects (an array or an
 * object per node or statement would multiply the objects a record keeps alive). Copied, not
 * the graph's node objects: those reach their graph, and through it the whole network and its
 * document, which a record of a standard-library block would keep alive after the document is
 * closed.
 *
 * `nums`, per node: op code (graph.ts), params, MACs, activations, input count, then its
 * inputs (k >= 0 is the instance's k-th node, k < 0 the instance input -1-k); then per
 * statement: first node, end node, output (encoded as inputs; NO_OUTPUT for none).
 * `refs`, per node (REF_STRIDE): attributes, the op's defaults, shape, source, scope below
 * the instance's; then per statement: the statement.
 */
export interface InstanceRecord {
  readonly count: number;
  readonly nums: readonly number[];
  readonly refs: readonly unknown[];
  readonly statementCount: number;
  readonly output: number;
  readonly outputShape: Shape;
  /** Evaluation steps of the first run (replays count them against MAX_WORK too). */
  readonly work: number;
  /** Call depth below the call site. */
  readonly depth: number;
}

/** Entries per node in InstanceRecord.refs. */
export const REF_STRIDE = 5;
/** InstanceRecord.nums' output of a statement that produced no tensor. */
export const NO_OUTPUT = 2 ** 31;

/** A bound on the configurations kept per definition (a search samples many). */
const MAX_INSTANCES_PER_DEFINITION = 256;

/**
 * The instances recorded for one definition while its fingerprint is unchanged. Most are found
 * by a number, a hash of their argument values and input signature: a key string per call
 * (every value and shape printed and joined) cost more than the rest of finding one.
 */
export interface InstanceTable {
  readonly fingerprint: string;
  readonly byHash: Map<number, HashedInstance>;
  /** Made on the first instance with a key string (most definitions have none). */
  byKey: Map<string, InstanceRecord> | undefined;
  size: number;
}

interface HashedInstance {
  readonly values: readonly Value[];
  /** Per input (see inputSignature): c, h, w, the index of its first occurrence among the
   * inputs, 1 if it is the network's input. */
  readonly inputs: readonly number[];
  readonly record: InstanceRecord;
  readonly next: HashedInstance | undefined;
}

/** Where an instance is kept in its table: a hash (byHash) or a key string (byKey). */
export type InstanceSlot = number | string;

/** The instances of `def`, emptied when its fingerprint changed (semantics/dependencies.ts). */
function instanceTableOf(def: ast.Definition): InstanceTable {
  const fingerprint = fingerprintOf(def);
  const state = stateOf(def);
  let table = state.instances;
  if (!table || table.fingerprint !== fingerprint) {
    table = { fingerprint, byHash: new Map(), byKey: undefined, size: 0 };
    state.instances = table;
  }
  return table;
}

/** Which of `inputs` is the first with the same tensor as input k (an instance reads its inputs by position). */
function aliasOf(inputs: readonly TensorValue[], k: number): number {
  const node = inputs[k]!.node;
  let alias = 0;
  while (inputs[alias]!.node !== node) alias++;
  return alias;
}

/** Per input: c, h, w, which input it first appears as, and whether it is the network's input. */
function inputSignature(inputs: readonly TensorValue[], networkInput: TensorValue | undefined): number[] {
  const out: number[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k]!;
    const alias = aliasOf(inputs, k);
    out.push(t.shape.c, t.shape.h, t.shape.w, alias, t === networkInput ? 1 : 0);
  }
  return out;
}

function sameSignature(kept: readonly number[], inputs: readonly TensorValue[], networkInput: TensorValue | undefined): boolean {
  if (kept.length !== 5 * inputs.length) return false;
  for (let k = 0, at = 0; k < inputs.length; k++, at += 5) {
    const t = inputs[k]!;
    const alias = aliasOf(inputs, k);
    if (
      kept[at] !== t.shape.c ||
      kept[at + 1] !== t.shape.h ||
      kept[at + 2] !== t.shape.w ||
      kept[at + 3] !== alias ||
      kept[at + 4] !== (t === networkInput ? 1 : 0)
    )
      return false;
  }
  return true;
}

/**
 * Where applying a block or cell with these arguments to these inputs is kept, or undefined
 * where the instance cannot be replayed: an argument whose effect a key cannot capture (see
 * value-keys.ts). The slot covers the input shapes, which inputs are the same tensor, and which
 * is the network's input (the body's first multi-input layer skips it).
 */
export function instanceSlot(values: readonly Value[], inputs: readonly TensorValue[], networkInput: TensorValue | undefined): InstanceSlot | undefined {
  let h = flatHash(values);
  if (h === undefined) return instanceKey(values, inputs, networkInput);
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k]!;
    const alias = aliasOf(inputs, k);
    h = Math.imul(h ^ t.shape.c, 0x01000193);
    h = Math.imul(h ^ t.shape.h, 0x01000193);
    h = Math.imul(h ^ t.shape.w, 0x01000193);
    h = Math.imul(h ^ (2 * alias + (t === networkInput ? 1 : 0)), 0x01000193);
  }
  return h;
}

function instanceKey(values: readonly Value[], inputs: readonly TensorValue[], networkInput: TensorValue | undefined): string | undefined {
  let key = valuesKey(values);
  if (key === undefined) return undefined;
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k]!;
    const alias = aliasOf(inputs, k);
    key += `|${t.shape.c}x${t.shape.h}x${t.shape.w}@${alias}${t === networkInput ? '!' : ''}`;
  }
  return key;
}

/** The record of applying `def` this way, if one is kept. */
export function findInstance(
  def: ast.Definition,
  slot: InstanceSlot,
  values: readonly Value[],
  inputs: readonly TensorValue[],
  networkInput: TensorValue | undefined,
): InstanceRecord | undefined {
  const table = instanceTableOf(def);
  if (typeof slot === 'string') return table.byKey?.get(slot);
  for (let e = table.byHash.get(slot); e !== undefined; e = e.next) {
    if (sameValues(e.values, values) && sameSignature(e.inputs, inputs, networkInput)) return e.record;
  }
  return undefined;
}

/** Keeps `record` as the way of applying `def` at `slot` (when the table has room). */
export function keepInstance(
  def: ast.Definition,
  slot: InstanceSlot,
  values: readonly Value[],
  inputs: readonly TensorValue[],
  networkInput: TensorValue | undefined,
  record: InstanceRecord,
): void {
  const table = instanceTableOf(def);
  if (table.size >= MAX_INSTANCES_PER_DEFINITION) return;
  table.size++;
  if (typeof slot === 'string') (table.byKey ??= new Map()).set(slot, record);
  else table.byHash.set(slot, { values, inputs: inputSignature(inputs, networkInput), record, next: table.byHash.get(slot) });
}

/** A recorded node reference (see InstanceRecord.nums) as a node id of this graph. */
export function decodeNode(e: number, base: number, inputs: readonly TensorValue[]): number {
  return e >= 0 ? base + e : inputs[-1 - e]!.node;
}
