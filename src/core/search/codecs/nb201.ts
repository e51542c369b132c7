/**
 * NAS-Bench-201 architecture strings (`|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|...|`,
 * Dong & Yang, ICLR 2020) <-> decisions of a space written as the NB201 cell.
 *
 * Nothing is assumed about how the space names or orders things: the cell's DAG and each
 * option's op are read from elaborations (every edge set to one option at a time). The space
 * qualifies when it has six 5-option keys forming the edges of a 4-node DAG (node i sums an
 * edge from each earlier node) and the options are the benchmark's five ops.
 */
import type { ArchitectureSpace } from '../architecture-space.js';
import type { Arch } from '../types.js';
import { cellOpName, firstChain } from './op-signature.js';

/** The benchmark's ops, in its order (index = the op's code in the benchmark's tables). */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
/** Edges (to, from) in the architecture string's order. */
export const NB201_EDGES: readonly (readonly [number, number])[] = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];

export class Nb201Codec {
  private constructor(
    private readonly space: ArchitectureSpace,
    /** keyOfEdge[e]: the space's key index of string edge e. */
    private readonly keyOfEdge: readonly number[],
    /** opOfOption[key][option]: the benchmark op code. */
    private readonly opOfOption: readonly (readonly number[])[],
  ) {}

  /** The codec of `space`, or the reason it is not a NAS-Bench-201 cell space. */
  static of(space: ArchitectureSpace): Nb201Codec | string {
    if (space.structural || space.keys.length !== 6 || space.keys.some((k) => k.options !== 5)) {
      return 'a NAS-Bench-201 space has six choices of five ops (the edges of one shared cell)';
    }
    const opOfOption: number[][] = space.keys.map(() => []);
    const uniform = (o: number) => space.elaborate(space.fromGenes(new Int32Array(6).fill(o)));
    for (let o = 0; o < 5; o++) {
      const r = uniform(o);
      for (let k = 0; k < 6; k++) {
        const name = cellOpName(firstChain(r, space.keys[k]!.key));
        const code = NB201_OPS.indexOf(name as (typeof NB201_OPS)[number]);
        if (code < 0) return `option ${o + 1} of choice ${space.keys[k]!.key} is not one of the benchmark's ops (${NB201_OPS.join(', ')})`;
        opOfOption[k]![o] = code;
      }
    }
    if (opOfOption.some((m) => new Set(m).size !== 5)) return "each edge must offer the benchmark's five ops once";
    // The DAG, read from the graph with every edge an identity: an edge's source is its
    // identity node's input; its target is the add it feeds (or itself, for a one-edge node).
    const skip = opOfOption[0]!.indexOf(1);
    if (opOfOption.some((m) => m.indexOf(1) !== skip)) return 'the edges list their ops in different orders';
    const r = uniform(skip);
    const consumers = new Map<number, number>();
    for (const n of r.graph.nodes) for (const i of n.inputs) if (!consumers.has(i)) consumers.set(i, n.id);
    const source: number[] = [];
    const target: number[] = [];
    for (let k = 0; k < 6; k++) {
      const chain = firstChain(r, space.keys[k]!.key);
      if (chain.length !== 1) return 'the skip_connect option must be a single identity';
      const id = chain[0]!.id;
      source.push(chain[0]!.inputs[0]!);
      const c = consumers.get(id);
      target.push(c !== undefined && r.graph.nodes[c]!.op === 'add' ? c : id);
    }
    const nodes = [...new Set(target)].sort((a, b) => a - b);
    const inputs = [...new Set(source.filter((s) => !nodes.includes(s)))];
    if (nodes.length !== 3 || inputs.length !== 1) return 'the cell must have one input and three nodes';
    const index = (n: number) => (n === inputs[0] ? 0 : nodes.indexOf(n) + 1);
    const keyOfEdge: number[] = [];
    for (const [to, from] of NB201_EDGES) {
      const k = target.findIndex((t, i) => index(t) === to && index(source[i]!) === from);
      if (k < 0 || keyOfEdge.includes(k)) return `the cell has no edge ${from} -> ${to}`;
      keyOfEdge.push(k);
    }
    return new Nb201Codec(space, keyOfEdge, opOfOption);
  }

  /** Benchmark op code of each string edge. */
  ops(arch: Arch): number[] {
    return this.keyOfEdge.map((k) => this.opOfOption[k]![arch.genes[k]!]!);
  }

  /** The benchmark's index order of this product's tables: sum op_e 5^(5-e). */
  index(arch: Arch): number {
    let x = 0;
    for (let e = 0; e < 6; e++) {
      const k = this.keyOfEdge[e]!;
      x = x * 5 + this.opOfOption[k]![arch.genes[k]!]!;
    }
    return x;
  }

  /** The benchmark's architecture string. */
  format(arch: Arch): string {
    const ops = this.ops(arch);
    const group = (to: number) =>
      NB201_EDGES.map(([t, f], e) => (t === to ? `${NB201_OPS[ops[e]!]}~${f}` : ''))
        .filter(Boolean)
        .join('|');
    return `|${group(1)}|+|${group(2)}|+|${group(3)}|`;
  }

  /** The architecture of a benchmark string; throws with what is wrong in it. */
  parse(text: string): Arch {
    const m = /^\|(.*)\|$/.exec(text.trim());
    const groups = m ? m[1]!.split('|+|') : [];
    if (groups.length !== 3) throw new Error(`expected three node groups |..|+|..|+|..|, found "${text}"`);
    const genes = new Int32Array(6);
    groups.forEach((g, node) => {
      const edges = g.split('|');
      if (edges.length !== node + 1) throw new Error(`node ${node + 1} needs ${node + 1} edges, found "${g}"`);
      edges.forEach((t, from) => {
        const [op, j] = t.split('~');
        const code = NB201_OPS.indexOf(op as (typeof NB201_OPS)[number]);
        if (code < 0) throw new Error(`unknown op "${op}" (ops: ${NB201_OPS.join(', ')})`);
        if (Number(j) !== from) throw new Error(`edge "${t}" of node ${node + 1} should come from node ${from}`);
        const e = NB201_EDGES.findIndex(([to, f]) => to === node + 1 && f === from);
        const k = this.keyOfEdge[e]!;
        genes[k] = this.opOfOption[k]!.indexOf(code);
      });
    });
    return this.space.fromGenes(genes);
  }
}
