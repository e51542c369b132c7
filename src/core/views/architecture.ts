/**
 * An elaborated network or space as plain, serializable data: what the views draw. The
 * language server sends it (`nas/graph`), the CLI builds it (from-elaboration.ts); the view
 * models read nothing else, so they run in a browser without Langium.
 */

/** C × H × W of one image (batch excluded); vectors are C × 1 × 1. */
export type ShapeTuple = [c: number, h: number, w: number];

export interface SourceRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface ArchNode {
  id: number;
  /** Primitive op (`conv`, `bn`, ...) or `input`. */
  op: string;
  /** Readable position in the network: `stage2/Bottleneck.1/conv`. */
  scope: string;
  attrs: Record<string, number | boolean | string>;
  /** Ids of the nodes whose outputs this node takes, in order. */
  inputs: number[];
  shape: ShapeTuple;
  params: number;
  macs: number;
  acts: number;
  /** Where the node was created, in the drawn document (for a node of a block of another file
   * or of the standard library: the call in this document that led to it). */
  range?: SourceRange;
  /** The document of `range` when it is not the drawn one. */
  sourceUri?: string;
  /** Choice keys being decided when the node was created, innermost last. */
  choiceKeys: string[];
  /** True when the node's output never reaches the network's output. */
  dead: boolean;
}

/**
 * A block or cell instance, or a repeat (`Layer * n`): the nodes [first, end) were made while
 * it ran. Groups nest like their node ranges; `parent` is -1 for the network's own.
 */
export interface ArchGroup {
  id: number;
  kind: 'instance' | 'repeat';
  /** The block or cell name; for a repeat, the repeated definition's name (or the layer's text). */
  name: string;
  /** `block` or `cell` for an instance. */
  defKind?: string;
  /** Arguments that differ from the parameters' defaults, as written in a call: `128, stride=2`. */
  args?: string;
  parent: number;
  first: number;
  end: number;
  /** The nodes whose outputs it takes, in order (an instance's inputs: h(i-2), h(i-1)). */
  inputs: number[];
  /** The instance's declared input names (`s0`, `s1`), when it declares them. */
  inputNames?: string[];
  /** Its output node; absent on error. */
  output?: number;
  /** For an instance inside a repeat: which application (0-based). */
  repeatIndex?: number;
  /** For a repeat: how many applications. */
  count?: number;
  /** Choice keys open when it started (choice keys of its nodes beyond these were decided inside). */
  choiceDepth: number;
  /** The call (or repeat) in the drawn document, or the nearest enclosing one there. */
  range?: SourceRange;
  sourceUri?: string;
  /** A key that stays the same across small edits, for keeping expansion: scope and ordinal. */
  key: string;
}

/** A named statement or `let` of a block or cell body whose value is a tensor. */
export interface ArchName {
  name: string;
  /** The group whose body it belongs to (-1: the network's). */
  group: number;
  output: number;
  first: number;
  end: number;
  range?: SourceRange;
}

export interface ArchChoice {
  key: string;
  options: number;
  taken: number;
  /** A short label per option (its trailing comment, or its source text). */
  labels: string[];
  range?: SourceRange;
  /** For a choice among named values (`choice(h0, h1)`, `choose(2, [p0, p1, n0])`): their names. */
  inputs?: string[];
  /** Of `inputs`, those the taken option uses. */
  chosenInputs?: string[];
  /** The named statement of the body the choice sits in (`n0` of `n0 = choose(...) -> DartsNode(...)`). */
  within?: string;
  /**
   * A choice written in a call's arguments (`conv(8, k = choice(3, 5))`, `B(c = choice(8, 16))`):
   * the nodes and groups that call made (in every instance for a key shared by instances).
   */
  argumentOf?: { nodes: number[]; groups: number[] };
}

export interface CostTotals {
  params: number;
  macs: number;
  acts: number;
}

export interface ArchitectureGraph {
  uri: string;
  name: string;
  kind: 'network' | 'space';
  nodes: ArchNode[];
  groups: ArchGroup[];
  names: ArchName[];
  output?: number;
  input?: ShapeTuple;
  totals: CostTotals;
  choices: ArchChoice[];
  errors: string[];
}

/** The groups' children and the innermost group of each node (-1: none). */
export interface GroupIndex {
  /** Child group ids per group id, in order; the network's own at key -1. */
  children: Map<number, number[]>;
  /** The innermost group of each node. */
  groupOf: Int32Array;
}

export function indexGroups(g: ArchitectureGraph): GroupIndex {
  const children = new Map<number, number[]>([[-1, []]]);
  for (const grp of g.groups) children.set(grp.id, []);
  for (const grp of g.groups) children.get(grp.parent)!.push(grp.id);
  const groupOf = new Int32Array(g.nodes.length).fill(-1);
  // Groups come in the order they started, so an inner group overwrites its parent's claim.
  for (const grp of g.groups) groupOf.fill(grp.id, grp.first, grp.end);
  return { children, groupOf };
}

/** Whether group `inner` is `outer` or inside it. */
export function isWithin(g: ArchitectureGraph, inner: number, outer: number): boolean {
  for (let at = inner; at >= 0; at = g.groups[at]!.parent) if (at === outer) return true;
  return outer === -1;
}
