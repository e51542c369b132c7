/**
 * The elaborated form of a fixed architecture: a DAG of primitive ops with shapes and costs.
 * Everything downstream (cost reports, drawing, printing, training) reads this, never the AST.
 */
import type { AstNode } from 'langium';
import type { Attrs } from './ops.js';
import type { Shape } from './shape.js';

export interface GraphNode {
  readonly id: number;
  /** Primitive op name (`conv`, `bn`, ...) or `input`. */
  readonly op: string;
  readonly attrs: Attrs;
  /** The op's declared defaults (attributes equal to them are left out when printing). */
  readonly defaults: Attrs;
  readonly inputs: readonly number[];
  readonly shape: Shape;
  readonly params: number;
  readonly macs: number;
  readonly acts: number;
  /** Readable position in the network: `stage2/Bottleneck.1/conv`. */
  readonly scope: string;
  /** The AST node that created it (an op call or reference), for positions. */
  readonly source: AstNode | undefined;
  /** The choice keys being decided when the node was created, innermost last. */
  readonly choiceKeys: readonly string[];
}

/** What `Graph.add` takes: a node without its id, and its scope as its parent's and its own name. */
export type NodeSpec = Omit<GraphNode, 'id' | 'scope'> & {
  readonly scopeParent: string;
  readonly scopeName: string;
};

const NO_DEFAULTS: Attrs = Object.freeze({});

export interface Totals {
  params: number;
  macs: number;
  acts: number;
}

/**
 * A node's inputs live in its graph's flat `inputIds` array, not in an array of their own:
 * most nodes have one input, and an array per node was two of the six objects an elaborated
 * node kept alive (the collector copies every one of them while a check runs). `inputs` makes
 * an array when read; the graph's own walks read the flat array.
 */
class Node implements GraphNode {
  constructor(
    readonly id: number,
    readonly op: string,
    readonly attrs: Attrs,
    private readonly graph: Graph,
    readonly shape: Shape,
    readonly params: number,
    readonly macs: number,
    readonly acts: number,
    private readonly scopeParent: string,
    private readonly scopeName: string,
    readonly source: AstNode | undefined,
    readonly choiceKeys: readonly string[],
  ) {}

  /** Joined when read: a scope string per node was the most numerous object a check kept alive. */
  get scope(): string {
    return this.scopeParent ? `${this.scopeParent}/${this.scopeName}` : this.scopeName;
  }

  get inputs(): readonly number[] {
    return this.graph.inputsOf(this.id);
  }

  /** An op's defaults are the same for all its nodes: the graph keeps them once per op. */
  get defaults(): Attrs {
    return this.graph.defaultsOf(this.op);
  }
}

export class Graph {
  readonly nodes: GraphNode[] = [];
  /** How many nodes consume each node's output. */
  readonly consumers: number[] = [];
  /** The inputs of every node, node after node (see Node). */
  private inputIds = new Int32Array(256);
  /** Where each node's inputs start in `inputIds`; one more entry than nodes. */
  private readonly inputStarts: number[] = [0];
  private readonly opDefaults = new Map<string, Attrs>();

  /** The inputs of node `id` (a new array). */
  inputsOf(id: number): number[] {
    const out: number[] = [];
    for (let k = this.inputStarts[id]!; k < this.inputStarts[id + 1]!; k++) out.push(this.inputIds[k]!);
    return out;
  }

  defaultsOf(op: string): Attrs {
    return this.opDefaults.get(op) ?? NO_DEFAULTS;
  }

  add(node: NodeSpec): GraphNode {
    const inputs = node.inputs;
    const start = this.inputStarts[this.inputStarts.length - 1]!;
    if (start + inputs.length > this.inputIds.length) {
      const grown = new Int32Array(Math.max(this.inputIds.length * 2, start + inputs.length));
      grown.set(this.inputIds);
      this.inputIds = grown;
    }
    for (let k = 0; k < inputs.length; k++) {
      const i = inputs[k]!;
      this.inputIds[start + k] = i;
      this.consumers[i]!++;
    }
    this.inputStarts.push(start + inputs.length);
    // A node of one class, built with its id: adding `id` to the caller's object literal
    // changed its shape after creation, about a third of the elaboration time.
    // One defaults object per op: nodes made without attributes (`add`, `concat` of loose
    // ends) may come with empty defaults, which never replace an op's real ones.
    const known = this.opDefaults.get(node.op);
    if (known !== node.defaults && (known === undefined || Object.keys(known).length === 0)) this.opDefaults.set(node.op, node.defaults);
    const full = new Node(
      this.nodes.length,
      node.op,
      node.attrs,
      this,
      node.shape,
      node.params,
      node.macs,
      node.acts,
      node.scopeParent,
      node.scopeName,
      node.source,
      node.choiceKeys,
    );
    this.nodes.push(full);
    this.consumers.push(0);
    return full;
  }

  totals(): Totals {
    let params = 0;
    let macs = 0;
    let acts = 0;
    for (const n of this.nodes) {
      params += n.params;
      macs += n.macs;
      acts += n.acts;
    }
    return { params, macs, acts };
  }

  /** Nodes from which the output cannot be reached. */
  deadNodes(output: number): GraphNode[] {
    const live = new Uint8Array(this.nodes.length);
    const stack = [output];
    live[output] = 1;
    const ids = this.inputIds;
    const starts = this.inputStarts;
    while (stack.length) {
      const n = stack.pop()!;
      for (let k = starts[n]!; k < starts[n + 1]!; k++) {
        const i = ids[k]!;
        if (!live[i]) {
          live[i] = 1;
          stack.push(i);
        }
      }
    }
    return this.nodes.filter((n) => !live[n.id]);
  }
}
