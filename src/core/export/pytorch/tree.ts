/**
 * The module tree of a network for the PyTorch export: one node per block or cell instance
 * (from the module paths of the model spec, model-builder/naming.ts), each holding its ops
 * and child instances in graph order, the values it reads from outside (its inputs) and the
 * values read outside it (its outputs).
 *
 * Instances become classes (classes.ts): those with the same structure share one, and the
 * numbers that differ between them (channels, strides, kernel sizes) become constructor
 * arguments. A value's rank is tracked as the generated code holds it: 2 after `fc` and
 * `flatten` ([N, C], as PyTorch's nn.Linear gives), 4 otherwise.
 */
import type { ModuleSegment } from '../../train/model-builder/naming.js';
import type { ModelSpec, SpecNode } from '../../train/model-builder/spec.js';

/** A reference to a value inside an instance: its k-th input, or output `out` of item `item`. */
export type ValueRef = { readonly input: number } | { readonly item: number; readonly out: number };

/** An op of the instance, or a child instance; `local` is its path below the instance (statements, then its own token). */
export type Item =
  | { readonly kind: 'op'; readonly node: SpecNode; readonly local: readonly string[] }
  | { readonly kind: 'child'; readonly inst: Instance; readonly local: readonly string[] };

export interface Instance {
  /** The definition's name; the network's for the root. */
  readonly def: string;
  /** The path below the parent instance: statement names, then the instance's own token (empty for the root). */
  readonly local: readonly string[];
  readonly items: Item[];
  /** Node ids read from outside, in order of first use. */
  readonly inputs: number[];
  /** Node ids read outside (or the network's output), in id order. */
  readonly outputs: number[];
  /** First node id (orders siblings). */
  first: number;
}

/** Thrown for a network the export cannot write (a message for the user). */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Ops whose output is a 2-D [N, C] tensor in the generated code. */
const RANK2 = new Set(['fc', 'flatten']);
/** Ops that keep their (first) input's rank. */
const SAME_RANK = new Set(['relu', 'relu6', 'hswish', 'hsigmoid', 'swish', 'sigmoid', 'dropout', 'identity', 'zero', 'split']);
/** Ops that combine inputs: 4-D if any input is. */
const COMBINE = new Set(['add', 'mul', 'concat']);

/** The rank of every node's value as the generated code holds it. */
export function valueRanks(spec: ModelSpec): number[] {
  const rank: number[] = [];
  for (const n of spec.nodes) {
    const ins = n.inputs.map((i) => rank[i]!);
    if (RANK2.has(n.op)) rank[n.id] = 2;
    else if (SAME_RANK.has(n.op)) rank[n.id] = ins[0] ?? 4;
    else if (COMBINE.has(n.op)) rank[n.id] = ins.some((r) => r === 4) ? 4 : 2;
    else rank[n.id] = 4;
  }
  return rank;
}

/** Builds the instance tree of `spec` from each node's module-path segments. */
export function buildInstanceTree(spec: ModelSpec, segments: readonly (readonly ModuleSegment[])[]): Instance {
  if (segments.length !== spec.nodes.length) throw new Error('module segments do not match the spec');
  const root: Instance = { def: spec.name, local: [], items: [], inputs: [], outputs: [], first: 0 };
  const byPath = new Map<string, Instance>([['', root]]);
  /** The chain of instances (root first) that holds each node. */
  const chains: Instance[][] = [];
  for (const node of spec.nodes) {
    const segs = segments[node.id]!;
    let inst = root;
    const chain = [root];
    let path = '';
    let local: string[] = [];
    for (const s of segs.slice(0, -1)) {
      path += `.${s.token}`;
      local.push(s.token);
      if (s.kind !== 'instance') continue;
      let child = byPath.get(path);
      if (!child) {
        child = { def: s.def!, local, items: [], inputs: [], outputs: [], first: node.id };
        byPath.set(path, child);
        inst.items.push({ kind: 'child', inst: child, local });
      }
      inst = child;
      chain.push(child);
      local = [];
    }
    local.push(segs[segs.length - 1]!.token);
    inst.items.push({ kind: 'op', node, local });
    chains.push(chain);
  }
  // Inputs and outputs: an edge u -> v crosses every instance that holds one end and not the other.
  const seen = new Set<string>();
  const addOnce = (list: number[], inst: Instance, kind: string, id: number): void => {
    const key = `${byPathKey.get(inst)}|${kind}|${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    list.push(id);
  };
  const byPathKey = new Map<Instance, string>([...byPath].map(([k, v]) => [v, k]));
  for (const v of spec.nodes) {
    const cv = chains[v.id]!;
    for (const u of v.inputs) {
      const cu = chains[u]!;
      let common = 0;
      while (common < cu.length && common < cv.length && cu[common] === cv[common]) common++;
      for (let k = common; k < cu.length; k++) addOnce(cu[k]!.outputs, cu[k]!, 'o', u);
      for (let k = common; k < cv.length; k++) addOnce(cv[k]!.inputs, cv[k]!, 'i', u);
    }
  }
  for (const inst of chains[spec.output]!.slice(1)) if (!inst.outputs.includes(spec.output)) inst.outputs.push(spec.output);
  root.outputs.push(spec.output);
  for (const inst of byPath.values()) {
    inst.outputs.sort((a, b) => a - b);
    inst.items.sort((a, b) => firstOf(a) - firstOf(b));
  }
  return root;
}

function firstOf(item: Item): number {
  return item.kind === 'op' ? item.node.id : item.inst.first;
}

/** Every instance below `root` (root included), children before their parents. */
export function postOrder(root: Instance): Instance[] {
  const out: Instance[] = [];
  const visit = (inst: Instance): void => {
    for (const it of inst.items) if (it.kind === 'child') visit(it.inst);
    out.push(inst);
  };
  visit(root);
  return out;
}

/**
 * Where each value an instance's items read comes from: an input of the instance or an output
 * of an earlier item. `producer(inst)` maps a node id to its reference.
 */
export function valueRefs(inst: Instance): Map<number, ValueRef> {
  const refs = new Map<number, ValueRef>();
  inst.inputs.forEach((id, k) => refs.set(id, { input: k }));
  inst.items.forEach((it, j) => {
    if (it.kind === 'op') refs.set(it.node.id, { item: j, out: 0 });
    else it.inst.outputs.forEach((id, o) => refs.set(id, { item: j, out: o }));
  });
  return refs;
}

/** The node ids an item reads, in order (an op's inputs; a child's inputs). */
export function itemInputs(it: Item): readonly number[] {
  return it.kind === 'op' ? it.node.inputs : it.inst.inputs;
}
