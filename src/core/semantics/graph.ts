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

const NO_DEFAULTS: Attrs = Object.freeze({});

export interface Totals {
  params: number;
  macs: number;
  acts: number;
}

/**
 * A node as read by consumers (cost reports, drawing, printing, training): a view of its
 * graph's columns, made when `Graph.nodes` is first read. A check needs none of them (totals,
 * dead nodes and consumers read the columns), and an object per node was 19,700 objects a
 * 5,000-line file kept alive, each copied by the collector while the check ran.
 */
class Node implements GraphNode {
  constructor(
    private readonly graph: Graph,
    readonly id: number,
  ) {}

  get op(): string {
    return this.graph.opOf(this.id);
  }
  get attrs(): Attrs {
    return this.graph.attrsOf(this.id);
  }
  get shape(): Shape {
    return this.graph.shapeOf(this.id);
  }
  get params(): number {
    return this.graph.costOf(this.id, 0);
  }
  get macs(): number {
    return this.graph.costOf(this.id, 1);
  }
  get acts(): number {
    return this.graph.costOf(this.id, 2);
  }
  get scope(): string {
    return this.graph.scopeOf(this.id);
  }
  get source(): AstNode | undefined {
    return this.graph.sourceOf(this.id);
  }
  get choiceKeys(): readonly string[] {
    return this.graph.choiceKeysOf(this.id);
  }
  get inputs(): readonly number[] {
    return this.graph.inputsOf(this.id);
  }
  /** An op's defaults are the same for all its nodes: the graph keeps them once per op. */
  get defaults(): Attrs {
    return this.graph.defaultsOf(this.graph.opOf(this.id));
  }
}

/** Op names as small numbers, shared by all graphs (a graph has a few distinct ops). */
const opNames: string[] = [];
const opCodes = new Map<string, number>();

function opCodeOf(op: string): number {
  let code = opCodes.get(op);
  if (code === undefined) {
    code = opNames.length;
    opNames.push(op);
    opCodes.set(op, code);
  }
  return code;
}

/**
 * The graph's nodes as columns, node after node (see Node). Numbers live in typed arrays, whose
 * contents are outside the collected heap (the collector copies every array a check keeps
 * alive while the check runs); op names and choice-key lists, which repeat, as small numbers.
 */
export class Graph {
  private count = 0;
  private capacity = 64;
  private ops = new Uint16Array(64);
  /** params, MACs, activations of each node. */
  private costs = new Float64Array(3 * 64);
  /** How many nodes consume each node's output. */
  private consumerCounts = new Int32Array(64);
  /** Where each node's inputs start in `inputIds`; one more entry than nodes. */
  private inputStarts = new Int32Array(65);
  /** The inputs of every node, node after node: most nodes have one input. */
  private inputIds = new Int32Array(64);
  private readonly attrs: Attrs[] = [];
  private readonly shapes: Shape[] = [];
  /** A node's scope is its parent's and its own name, joined when read: a scope string per node
   * was the most numerous object a check kept alive. */
  private readonly scopeParents: string[] = [];
  private readonly scopeNames: string[] = [];
  private readonly sources: Array<AstNode | undefined> = [];
  /** Which of `keyLists` each node's choice keys are (consecutive nodes share one list). */
  private choiceKeyIndex = new Int32Array(64);
  private readonly keyLists: Array<readonly string[]> = [];
  /** An op's declared defaults, by op code. */
  private readonly opDefaults: Attrs[] = [];
  private readonly views: Node[] = [];

  /** The number of nodes. */
  get size(): number {
    return this.count;
  }

  /** Every node, in the order added (views made on first read; see Node). */
  get nodes(): readonly GraphNode[] {
    for (let i = this.views.length; i < this.count; i++) this.views.push(new Node(this, i));
    return this.views;
  }

  /** How many nodes consume node `id`'s output. */
  consumersOf(id: number): number {
    return this.consumerCounts[id]!;
  }

  opOf(id: number): string {
    return opNames[this.ops[id]!]!;
  }
  attrsOf(id: number): Attrs {
    return this.attrs[id]!;
  }
  shapeOf(id: number): Shape {
    return this.shapes[id]!;
  }
  /** Cost `k` (0 params, 1 MACs, 2 activations) of node `id`. */
  costOf(id: number, k: 0 | 1 | 2): number {
    return this.costs[3 * id + k]!;
  }
  scopeOf(id: number): string {
    const parent = this.scopeParents[id]!;
    return parent ? `${parent}/${this.scopeNames[id]!}` : this.scopeNames[id]!;
  }
  /** The scope of node `id` below `scope` (`prefix` is `scope/`), or undefined if outside. */
  scopeBelow(id: number, scope: string, prefix: string): string | undefined {
    const parent = this.scopeParents[id]!;
    if (parent === scope && scope !== '') return this.scopeNames[id]!; // the usual case: no new string
    const full = this.scopeOf(id);
    return full.startsWith(prefix) ? full.slice(prefix.length) : undefined;
  }
  sourceOf(id: number): AstNode | undefined {
    return this.sources[id];
  }
  choiceKeysOf(id: number): readonly string[] {
    return this.keyLists[this.choiceKeyIndex[id]!]!;
  }

  /** The inputs of node `id` (a new array). */
  inputsOf(id: number): number[] {
    const out: number[] = [];
    for (let k = this.inputStarts[id]!; k < this.inputStarts[id + 1]!; k++) out.push(this.inputIds[k]!);
    return out;
  }

  /** How many inputs node `id` has, and its k-th. */
  inputCount(id: number): number {
    return this.inputStarts[id + 1]! - this.inputStarts[id]!;
  }
  inputAt(id: number, k: number): number {
    return this.inputIds[this.inputStarts[id]! + k]!;
  }

  defaultsOf(op: string): Attrs {
    const code = opCodes.get(op);
    return (code !== undefined ? this.opDefaults[code] : undefined) ?? NO_DEFAULTS;
  }

  /**
   * Adds a node and returns its id. `defaults` are the op's declared defaults (attributes equal
   * to them are left out when printing); `scopeParent`/`scopeName` its readable position
   * (`stage2/Bottleneck.1` and `conv`); `source` the AST node that created it.
   */
  add(
    op: string,
    attrs: Attrs,
    defaults: Attrs,
    inputs: readonly number[],
    shape: Shape,
    params: number,
    macs: number,
    acts: number,
    scopeParent: string,
    scopeName: string,
    source: AstNode | undefined,
    choiceKeys: readonly string[],
  ): number {
    this.reserveNode();
    const start = this.inputStarts[this.count]!;
    this.reserveInputs(start + inputs.length);
    for (let k = 0; k < inputs.length; k++) {
      const i = inputs[k]!;
      this.inputIds[start + k] = i;
      this.consumerCounts[i]!++;
    }
    this.inputStarts[this.count + 1] = start + inputs.length;
    return this.addColumns(op, attrs, defaults, shape, params, macs, acts, scopeParent, scopeName, source, choiceKeys);
  }

  /**
   * `add` for a node whose inputs are given encoded (an instance replayed, evaluator.ts):
   * `encoded[from..to)`, where e >= 0 is node `base + e` and e < 0 is `outer[-1 - e]`.
   */
  addEncoded(
    op: string,
    attrs: Attrs,
    defaults: Attrs,
    encoded: Int32Array,
    from: number,
    to: number,
    base: number,
    outer: readonly number[],
    shape: Shape,
    params: number,
    macs: number,
    acts: number,
    scopeParent: string,
    scopeName: string,
    source: AstNode | undefined,
    choiceKeys: readonly string[],
  ): number {
    this.reserveNode();
    const start = this.inputStarts[this.count]!;
    this.reserveInputs(start + to - from);
    for (let k = from; k < to; k++) {
      const e = encoded[k]!;
      const i = e >= 0 ? base + e : outer[-1 - e]!;
      this.inputIds[start + k - from] = i;
      this.consumerCounts[i]!++;
    }
    this.inputStarts[this.count + 1] = start + to - from;
    return this.addColumns(op, attrs, defaults, shape, params, macs, acts, scopeParent, scopeName, source, choiceKeys);
  }

  private reserveInputs(n: number): void {
    if (n <= this.inputIds.length) return;
    const grown = new Int32Array(Math.max(this.inputIds.length * 2, n));
    grown.set(this.inputIds);
    this.inputIds = grown;
  }

  /** Room for one more node in the typed columns. */
  private reserveNode(): void {
    if (this.count < this.capacity) return;
    const n = this.capacity * 2;
    const grow = <T extends Uint16Array | Int32Array | Float64Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (size: number) => T)(size);
      b.set(a);
      return b;
    };
    this.ops = grow(this.ops, n);
    this.costs = grow(this.costs, 3 * n);
    this.consumerCounts = grow(this.consumerCounts, n);
    this.inputStarts = grow(this.inputStarts, n + 1);
    this.choiceKeyIndex = grow(this.choiceKeyIndex, n);
    this.capacity = n;
  }

  private addColumns(
    op: string,
    attrs: Attrs,
    defaults: Attrs,
    shape: Shape,
    params: number,
    macs: number,
    acts: number,
    scopeParent: string,
    scopeName: string,
    source: AstNode | undefined,
    choiceKeys: readonly string[],
  ): number {
    const id = this.count;
    const code = opCodeOf(op);
    // One defaults object per op: nodes made without attributes (`add`, `concat` of loose
    // ends) may come with empty defaults, which never replace an op's real ones.
    const known = this.opDefaults[code];
    if (known !== defaults && (known === undefined || Object.keys(known).length === 0)) {
      while (this.opDefaults.length < code) this.opDefaults.push(undefined as unknown as Attrs);
      this.opDefaults[code] = defaults;
    }
    this.ops[id] = code;
    this.costs[3 * id] = params;
    this.costs[3 * id + 1] = macs;
    this.costs[3 * id + 2] = acts;
    this.attrs.push(attrs);
    this.shapes.push(shape);
    this.scopeParents.push(scopeParent);
    this.scopeNames.push(scopeName);
    this.sources.push(source);
    // Choice keys: the same list object as the previous node's in almost every case.
    const lists = this.keyLists;
    if (lists.length === 0 || lists[lists.length - 1] !== choiceKeys) lists.push(choiceKeys);
    this.choiceKeyIndex[id] = lists.length - 1;
    this.count = id + 1;
    return id;
  }

  totals(): Totals {
    let params = 0;
    let macs = 0;
    let acts = 0;
    const c = this.costs;
    for (let i = 0; i < 3 * this.count; i += 3) {
      params += c[i]!;
      macs += c[i + 1]!;
      acts += c[i + 2]!;
    }
    return { params, macs, acts };
  }

  /** Sums the costs of nodes [first, end). */
  totalsOf(first: number, end: number): Totals {
    let params = 0;
    let macs = 0;
    let acts = 0;
    const c = this.costs;
    for (let i = first; i < end; i++) {
      params += c[3 * i]!;
      macs += c[3 * i + 1]!;
      acts += c[3 * i + 2]!;
    }
    return { params, macs, acts };
  }

  /** Nodes from which the output cannot be reached. */
  deadNodes(output: number): GraphNode[] {
    const live = new Uint8Array(this.count);
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
    const dead: GraphNode[] = [];
    for (let i = 0; i < live.length; i++) if (!live[i]) dead.push(this.views[i] ?? new Node(this, i));
    return dead;
  }
}
