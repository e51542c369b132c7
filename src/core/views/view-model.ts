/**
 * What a view draws, before layout: boxes (some holding others), edges between them, and the
 * texts. Built from an ArchitectureGraph by network-view.ts, cell-view.ts, compare-view.ts and
 * fusion-view.ts; laid out by elk-graph.ts; drawn by svg.ts.
 */
import type { CostTotals, SourceRange } from './architecture.js';
import type { OpFamily } from './op-family.js';

export type ViewKind = 'network' | 'cell' | 'compare' | 'fusion';

/**
 * `op`: a primitive; `group`: a block, cell or repeat (collapsed, or expanded with children);
 * `input`/`output`: a view's ends; `state`: a named value of a cell; `combine`: a cell node's
 * add or concat; `frame`: a box around one side of a comparison or fusion pair.
 */
export type ViewNodeKind = 'op' | 'group' | 'input' | 'output' | 'state' | 'combine' | 'frame';

export interface ViewNode {
  /** Unique in the view and stable across small edits where it can be (expansion keys). */
  id: string;
  kind: ViewNodeKind;
  title: string;
  /** Lines under the title: shape, cost. */
  lines: string[];
  family: OpFamily;
  params: number;
  macs: number;
  /** The architecture's node ids this box stands for (cursor-to-node highlight, cost sums). */
  members: number[];
  /** For a group: its ArchGroup id and its expansion key. */
  group?: number;
  groupKey?: string;
  expandable?: boolean;
  /** An expanded group or a frame: the boxes inside it. */
  children?: ViewNode[];
  /** Input ports, in input order, when the node takes several inputs (labels may be empty). */
  ports?: string[];
  range?: SourceRange;
  sourceUri?: string;
  /** Marks: `dead`, `output`, `chosen` (on the path an architecture chose), `diff` (differs between compared architectures). */
  marks: string[];
  /** Lines of the hover tooltip. */
  tooltip: string[];
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  /** The target's input port, for a node with ports. */
  targetPort?: number;
  /** Text on the edge (the op a cell edge applies); several lines for a choice's options. */
  label?: string[];
  /** Which label line is the option taken (a space view), if any. */
  chosenLine?: number;
  /** `zero` (a zero op: dashed), `candidate` (an input not chosen: faint, dashed), `chosen`, `diff`, `dead`. */
  marks: string[];
  /** The architecture's nodes the edge stands for (a cell edge's ops). */
  members: number[];
  range?: SourceRange;
  sourceUri?: string;
  tooltip: string[];
}

/** A choice as a view lists it (the space view's legend). */
export interface ViewChoice {
  key: string;
  labels: string[];
  taken: number;
  /** The taken option in the other compared architecture, where it differs. */
  other?: number;
  range?: SourceRange;
}

export interface ViewGraph {
  kind: ViewKind;
  title: string;
  subtitle: string;
  /** Layered layout direction: `DOWN` (top to bottom) or `RIGHT`. */
  direction: 'DOWN' | 'RIGHT';
  nodes: ViewNode[];
  /** Every edge, whatever boxes its ends sit in. */
  edges: ViewEdge[];
  totals: CostTotals;
  choices: ViewChoice[];
  /** The drawn document (ranges without a sourceUri are in it). */
  uri: string;
}

/** Every node of a view, parents before their children. */
export function* allNodes(nodes: readonly ViewNode[]): Generator<ViewNode> {
  for (const n of nodes) {
    yield n;
    if (n.children) yield* allNodes(n.children);
  }
}

export type ViewDirection = ViewGraph['direction'];
