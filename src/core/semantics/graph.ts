/**
 * The elaborated form of a fixed architecture: a DAG of primitive ops with shapes and costs.
 * Everything downstream (cost reports, drawing, printing, training) reads this, never the AST.
 */
import type { AstNode } from 'langium';
import type { Attrs } from './ops.js';
import type { Shape } from './shape.js';
import type { CostTotals } from '../../protocol/figures.js';

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

/** Params, MACs and activations of a graph or of a range of its nodes. */
export type Totals = CostTotals;

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

export function opCodeOf(op: string): number {
  let code = opCodes.get(op);
  if (code === undefined) {
    code = opNames.length;
    opNames.push(op);
    opCodes.set(op, code);
  }
  return code;
}

/** The numbers of a node, at `STRIDE * id + field` in `Graph.numbers`. */
const STRIDE = 8;
const F_OP = 0;
const F_PARAMS = 1;
const F_MACS = 2;
const F_ACTS = 3;
const F_CONSUMERS = 4;
const F_IN_START = 5;
const F_IN_END = 6;
const F_KEYS = 7;
/**
 * Room for as many nodes as the last graphs had (a power of two, 64 to 1,024): each growth is
 * an allocation outside the heap, which costs more than the collector's copy of a small array,
 * and the graphs of one file or one search space have similar sizes.
 */
let initialNodes = 64;

/** Called when a graph is complete (evaluator/interpreter.ts), to size the next ones. */
export function noteGraphSize(nodes: number): void {
  let n = 64;
  while (n < nodes && n < 1024) n *= 2;
  initialNodes = n;
}

/**
 * The graph's nodes as columns, node after node (see Node). A node's numbers (op code, costs,
 * consumer count, where its inputs are, which choice-key list) share one typed array, whose
 * contents are outside the collected heap (the collector copies every array a check keeps
 * alive while the check runs) and which is one allocation per growth (an array per field made
 * typed-array allocation a tenth of elaboration); op names and choice-key lists, which repeat,
 * are small numbers into tables.
 */
export class Graph {
  private count = 0;
  private numbers = new Float64Array(STRIDE * initialNodes);
  /** The inputs of every node, node after node: most nodes have one input (a plain array: it
   * grows a few entries at a time, and small arrays cost the collector less than allocations
   * outside the heap). */
  private readonly inputIds: number[] = [];
  /** How many of `inputIds` belong to nodes already added (the rest to the next one). */
  private inputsTaken = 0;
  private readonly attrs: Attrs[] = [];
  private readonly shapes: Shape[] = [];
  /** A node's scope is its parent's and its own name, joined when read: a scope string per node
   * was the most numerous object a check kept alive. */
  private readonly scopeParents: string[] = [];
  private readonly scopeNames: string[] = [];
  private readonly sources: Array<AstNode | undefined> = [];
  /** The choice-key lists of the nodes (consecutive nodes share one; F_KEYS indexes this). */
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
    return this.numbers[STRIDE * id + F_CONSUMERS]!;
  }

  opOf(id: number): string {
    return opNames[this.numbers[STRIDE * id + F_OP]!]!;
  }
  attrsOf(id: number): Attrs {
    return this.attrs[id]!;
  }
  shapeOf(id: number): Shape {
    return this.shapes[id]!;
  }
  /** Cost `k` (0 params, 1 MACs, 2 activations) of node `id`. */
  costOf(id: number, k: 0 | 1 | 2): number {
    return this.numbers[STRIDE * id + F_PARAMS + k]!;
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
    return this.keyLists[this.numbers[STRIDE * id + F_KEYS]!]!;
  }

  /** The inputs of node `id` (a new array). */
  inputsOf(id: number): number[] {
    const out: number[] = [];
    const end = this.numbers[STRIDE * id + F_IN_END]!;
    for (let k = this.numbers[STRIDE * id + F_IN_START]!; k < end; k++) out.push(this.inputIds[k]!);
    return out;
  }

  /** How many inputs node `id` has, and its k-th. */
  inputCount(id: number): number {
    return this.numbers[STRIDE * id + F_IN_END]! - this.numbers[STRIDE * id + F_IN_START]!;
  }
  inputAt(id: number, k: number): number {
    return this.inputIds[this.numbers[STRIDE * id + F_IN_START]! + k]!;
  }

  defaultsOf(op: string): Attrs {
    const code = opCodes.get(op);
    return (code !== undefined ? this.opDefaults[code] : undefined) ?? NO_DEFAULTS;
  }

  /**
   * Makes node `id` an input of the node the next `add` makes (inputs are given one by one, in
   * order, so that callers build no array per node).
   */
  input(id: number): void {
    this.inputIds.push(id);
    this.numbers[STRIDE * id + F_CONSUMERS]!++;
  }

  /**
   * Adds a node whose inputs are those given by `input` since the last `add`, and returns its
   * id. `defaults` are the op's declared defaults (attributes equal to them are left out when
   * printing); `scopeParent`/`scopeName` its readable position (`stage2/Bottleneck.1` and
   * `conv`); `source` the AST node that created it.
   */
  add(
    op: string | number,
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
    if (STRIDE * (id + 1) > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    // Replayed instances give op codes (opCodeOf), the rest op names.
    const code = typeof op === 'number' ? op : opCodeOf(op);
    // One defaults object per op: nodes made without attributes (`add`, `concat` of loose
    // ends) may come with empty defaults, which never replace an op's real ones.
    const known = this.opDefaults[code];
    if (known !== defaults && (known === undefined || isEmpty(known))) {
      while (this.opDefaults.length < code) this.opDefaults.push(undefined as unknown as Attrs);
      this.opDefaults[code] = defaults;
    }
    // Choice keys: the same list object as the previous node's in almost every case.
    const lists = this.keyLists;
    if (lists.length === 0 || lists[lists.length - 1] !== choiceKeys) lists.push(choiceKeys);
    const at = STRIDE * id;
    const num = this.numbers;
    num[at + F_OP] = code;
    num[at + F_PARAMS] = params;
    num[at + F_MACS] = macs;
    num[at + F_ACTS] = acts;
    num[at + F_CONSUMERS] = 0;
    num[at + F_IN_START] = this.inputsTaken;
    num[at + F_IN_END] = this.inputIds.length;
    num[at + F_KEYS] = lists.length - 1;
    this.inputsTaken = this.inputIds.length;
    this.attrs.push(attrs);
    this.shapes.push(shape);
    this.scopeParents.push(scopeParent);
    this.scopeNames.push(scopeName);
    this.sources.push(source);
    this.count = id + 1;
    return id;
  }

  totals(): Totals {
    return this.totalsOf(0, this.count);
  }

  /** Sums the costs of nodes [first, end). */
  totalsOf(first: number, end: number): Totals {
    let params = 0;
    let macs = 0;
    let acts = 0;
    const num = this.numbers;
    for (let at = STRIDE * first; at < STRIDE * end; at += STRIDE) {
      params += num[at + F_PARAMS]!;
      macs += num[at + F_MACS]!;
      acts += num[at + F_ACTS]!;
    }
    return { params, macs, acts };
  }

  /** Nodes from which the output cannot be reached. */
  deadNodes(output: number): GraphNode[] {
    const live = new Uint8Array(this.count);
    const stack = [output];
    live[output] = 1;
    const ids = this.inputIds;
    const num = this.numbers;
    while (stack.length) {
      const n = stack.pop()!;
      const end = num[STRIDE * n + F_IN_END]!;
      for (let k = num[STRIDE * n + F_IN_START]!; k < end; k++) {
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

/** Whether `o` has no own enumerable key (Object.keys made an array per node added). */
function isEmpty(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}
