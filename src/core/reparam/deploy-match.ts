/**
 * Which node of a deployment network each node of its training-time network becomes. Source
 * fusion (source-fusion.ts) renames block uses, so the two graphs are the same but for each
 * fused block: a reparameterizable sum (check-graph.ts) in the training graph, one
 * convolution with bias in the deployment graph. Walking both from their outputs to their
 * inputs pairs every node with its counterpart by structure, not by name (weight names keep
 * their ordinals only where no block of the same kind sits beside the renamed one), and tells,
 * for a deployment network that is not the fusion of this one, the first place they differ.
 */
import type { ModelSpec, SpecNode } from '../train/model-builder/spec.js';
import type { ReparamSum } from './check-graph.js';

/** One fused block: a training-time sum and the deployment convolution it becomes. */
export interface FusedBlockMatch {
  readonly sum: ReparamSum;
  /** The deployment conv node. */
  readonly conv: number;
  /** The block's module path in the training network (the common prefix of its nodes' paths, `RepVGGBlock_3`). */
  readonly name: string;
}

export interface DeployMatch {
  /** Training node → deployment node, for nodes that are the same op in both. */
  readonly same: ReadonlyMap<number, number>;
  readonly fused: readonly FusedBlockMatch[];
}

/** The deployment network is not this network's fusion: `message` says where they part. */
export class DeployMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployMismatchError';
  }
}

/** Ops that pass their input on in eval mode (and carry no parameters). */
const TRANSPARENT = new Set(['identity', 'dropout']);

function through(spec: ModelSpec, id: number): number {
  let n = spec.nodes[id]!;
  while (TRANSPARENT.has(n.op)) n = spec.nodes[n.inputs[0]!]!;
  return n.id;
}

const where = (n: SpecNode): string => `${n.op} ${n.name} (${n.shape.join('x')})`;

/** The longest common dotted prefix of module paths. */
function commonPath(names: readonly string[]): string {
  let parts = names[0]!.split('.');
  for (const n of names.slice(1)) {
    const q = n.split('.');
    let k = 0;
    while (k < parts.length && k < q.length && parts[k] === q[k]) k++;
    parts = parts.slice(0, k);
  }
  return parts.join('.');
}

/**
 * Pairs the nodes of `train` (whose reparameterizable sums are `sums`) with those of
 * `deploy`, from the outputs back. A sum pairs with a conv or dwconv of the deployment
 * network; every other node with a node of the same op, attributes and shape. Throws a
 * DeployMismatchError naming the first pair that differs.
 */
export function matchDeploy(train: ModelSpec, sums: readonly ReparamSum[], deploy: ModelSpec): DeployMatch {
  const byAdd = new Map(sums.map((s) => [s.add, s]));
  const same = new Map<number, number>();
  const fused: FusedBlockMatch[] = [];
  const seen = new Map<number, number>();
  const stack: Array<[number, number]> = [[train.output, deploy.output]];
  while (stack.length) {
    const [t0, d0] = stack.pop()!;
    const t = through(train, t0);
    const d = through(deploy, d0);
    const prev = seen.get(t);
    if (prev !== undefined) {
      if (prev !== d) throw new DeployMismatchError(`${where(train.nodes[t]!)} feeds two different nodes of the deployment network`);
      continue;
    }
    seen.set(t, d);
    const tn = train.nodes[t]!;
    const dn = deploy.nodes[d]!;
    if (tn.shape.join() !== dn.shape.join()) throw new DeployMismatchError(`${where(tn)} corresponds to ${where(dn)}, of another shape`);
    const sum = byAdd.get(t);
    if (sum && (dn.op === 'conv' || dn.op === 'dwconv')) {
      const names = [tn.name, ...sum.branches.flat().map((id) => train.nodes[id]!.name)];
      fused.push({ sum, conv: d, name: commonPath(names) || tn.name });
      stack.push([sum.source, dn.inputs[0]!]);
      continue;
    }
    if (tn.op !== dn.op || JSON.stringify(tn.attrs) !== JSON.stringify(dn.attrs) || tn.inputs.length !== dn.inputs.length) {
      throw new DeployMismatchError(`${where(tn)} corresponds to ${where(dn)}, which differs (${JSON.stringify(tn.attrs)} vs ${JSON.stringify(dn.attrs)})`);
    }
    same.set(t, d);
    tn.inputs.forEach((i, k) => stack.push([i, dn.inputs[k]!]));
  }
  // Nodes the output does not depend on (PyTorch has their parameters too): paired by name.
  const matched = new Set(same.values());
  for (const f of fused) matched.add(f.conv);
  const trainByName = new Map(train.nodes.map((n) => [n.name, n]));
  for (const dn of deploy.nodes) {
    if (matched.has(dn.id) || dn.params.length === 0) continue;
    const tn = trainByName.get(dn.name);
    if (!tn || tn.op !== dn.op || JSON.stringify(tn.attrs) !== JSON.stringify(dn.attrs)) {
      throw new DeployMismatchError(`${where(dn)} of the deployment network has no counterpart in the training network`);
    }
    same.set(tn.id, dn.id);
  }
  fused.sort((a, b) => a.conv - b.conv);
  return { same, fused };
}
