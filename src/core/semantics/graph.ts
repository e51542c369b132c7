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

export interface Totals {
  params: number;
  macs: number;
  acts: number;
}

class Node implements GraphNode {
  constructor(
    readonly id: number,
    readonly op: string,
    readonly attrs: Attrs,
    readonly defaults: Attrs,
    readonly inputs: readonly number[],
    readonly shape: Shape,
    readonly params: number,
    readonly macs: number,
    readonly acts: number,
    readonly scope: string,
    readonly source: AstNode | undefined,
    readonly choiceKeys: readonly string[],
  ) {}
}

export class Graph {
  readonly nodes: GraphNode[] = [];
  /** How many nodes consume each node's output. */
  readonly consumers: number[] = [];

  add(node: Omit<GraphNode, 'id'>): GraphNode {
    // A node of one class, built with its id: adding `id` to the caller's object literal
    // changed its shape after creation, about a third of the elaboration time.
    const full = new Node(
      this.nodes.length,
      node.op,
      node.attrs,
      node.defaults,
      node.inputs,
      node.shape,
      node.params,
      node.macs,
      node.acts,
      node.scope,
      node.source,
      node.choiceKeys,
    );
    this.nodes.push(full);
    this.consumers.push(0);
    const inputs = node.inputs;
    for (let k = 0; k < inputs.length; k++) this.consumers[inputs[k]!]!++;
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
    while (stack.length) {
      const n = this.nodes[stack.pop()!]!;
      for (const i of n.inputs) {
        if (!live[i]) {
          live[i] = 1;
          stack.push(i);
        }
      }
    }
    return this.nodes.filter((n) => !live[n.id]);
  }
}
