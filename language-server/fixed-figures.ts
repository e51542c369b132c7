/**
 * Figures of a fixed network (`network X = S(args) with { ... }`) for its hints and hovers:
 * every instance of each cell its genotype fixes and every run of each statement a decision
 * sits in, from one observed elaboration. A cell's genotype is shared by all its instances
 * (DARTS-V2's normal cell is 18 cells of three widths), so a line's cost is its statement's
 * over all of them, and the first instance gives the shapes.
 */
import type { AstNode } from 'langium';
import type * as ast from '../src/core/language/syntax/generated/ast.js';
import type { ElaborationObserver } from '../src/core/semantics/elaboration-observer.js';
import { elaborate, type ElaborationResult } from '../src/core/semantics/evaluator/index.js';
import type { GraphNode, Totals } from '../src/core/semantics/graph.js';
import type { FixedBinding } from '../src/core/semantics/readable/resolve.js';
import type { Shape } from '../src/core/semantics/shape.js';

/** Node ranges [first, end) of the instances (or runs) of one thing, in elaboration order. */
export interface Runs {
  readonly count: number;
  /** Summed over every instance. */
  readonly totals: Totals;
  readonly first: { readonly first: number; readonly end: number };
  /** The output shape of the first run, when it made a tensor. */
  readonly output?: Shape;
}

export interface FixedFigures {
  readonly result: ElaborationResult;
  readonly bindings: readonly FixedBinding[];
  /** Instances of a cell the genotype fixes. */
  cell(def: ast.Definition): Runs | undefined;
  /** Runs of a statement of the space (or of a cell) that makes decisions. */
  statement(stmt: AstNode): Runs | undefined;
  /** The decisions read from an item of the `with` block, or from the text inside it. */
  bindingsAt(node: AstNode): FixedBinding[];
  /** The graph nodes a decision made in the first instance that made any (an op's layers). */
  firstNodesOf(binding: FixedBinding): GraphNode[];
  /** Everything a decision made, over all instances. */
  totalsOf(binding: FixedBinding): Totals & { readonly instances: number };
}

type Range = [number, number, number];

class InstanceRecorder implements ElaborationObserver {
  readonly cells = new Map<ast.Definition, Range[]>();
  readonly statements = new Map<AstNode, Range[]>();
  private readonly open: Array<{ def: ast.Definition; first: number }> = [];

  constructor(private readonly wanted: ReadonlySet<AstNode>) {}

  enterInstance(def: ast.Definition, _site: AstNode, _r: number | undefined, _v: unknown, _i: unknown, firstNode: number): void {
    this.open.push({ def, first: firstNode });
  }

  leaveInstance(endNode: number): void {
    const o = this.open.pop();
    if (o && o.def.kind === 'cell') push(this.cells, o.def, [o.first, endNode, -1]);
  }

  enterRepeat(): void {}
  leaveRepeat(): void {}

  statement(stmt: ast.Statement, first: number, end: number, output: number): void {
    if (this.wanted.has(stmt)) push(this.statements, stmt, [first, end, output]);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, v: V): void {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

/**
 * Elaborates a fixed network once more with an observer (the cached elaboration keeps no
 * instance boundaries); `bindings` are those of its cached elaboration, to know which
 * statements to watch.
 */
export function computeFixedFigures(def: ast.Definition, bindings: readonly FixedBinding[]): FixedFigures {
  const wanted = new Set(bindings.map((b) => b.address.statement));
  const recorder = new InstanceRecorder(wanted);
  const result = elaborate(def, { observer: recorder });
  const graph = result.graph;
  const runsOf = (ranges: Range[] | undefined): Runs | undefined => {
    if (!ranges?.length) return undefined;
    const totals = { params: 0, macs: 0, acts: 0 };
    for (const [first, end] of ranges) {
      const t = graph.totalsOf(first, end);
      totals.params += t.params;
      totals.macs += t.macs;
      totals.acts += t.acts;
    }
    const [first, end, output] = ranges[0]!;
    return { count: ranges.length, totals, first: { first, end }, output: output >= 0 ? graph.nodes[output]!.shape : undefined };
  };
  const bound = result.fixed ?? [];
  const byNode = new Map<AstNode, FixedBinding[]>();
  for (const b of bound) push(byNode, b.node, b);
  // Nodes by decision key, made once: an op's layers are the nodes made while it was decided.
  let byKey: Map<string, GraphNode[]> | undefined;
  const nodesOfKey = (key: string): GraphNode[] => {
    if (!byKey) {
      byKey = new Map();
      for (const n of graph.nodes) for (const k of n.choiceKeys) push(byKey, k, n);
    }
    return byKey.get(key) ?? [];
  };
  return {
    result,
    bindings: bound,
    cell: (cell) => runsOf(recorder.cells.get(cell)),
    statement: (stmt) => runsOf(recorder.statements.get(stmt)),
    bindingsAt(node) {
      for (let at: AstNode | undefined = node; at && at.$type !== 'FixedLine'; at = at.$container) {
        const hit = byNode.get(at);
        if (hit) return hit;
      }
      return [];
    },
    firstNodesOf(binding) {
      const nodes = nodesOfKey(binding.key);
      const cell = binding.address.cell && recorder.cells.get(binding.address.cell)?.find(([f, e]) => nodes.some((n) => n.id >= f && n.id < e));
      return cell ? nodes.filter((n) => n.id >= cell[0] && n.id < cell[1]) : nodes;
    },
    totalsOf(binding) {
      const nodes = nodesOfKey(binding.key);
      const instances = binding.address.cell ? (recorder.cells.get(binding.address.cell)?.length ?? 1) : 1;
      return {
        params: nodes.reduce((s, n) => s + n.params, 0),
        macs: nodes.reduce((s, n) => s + n.macs, 0),
        acts: nodes.reduce((s, n) => s + n.acts, 0),
        instances,
      };
    },
  };
}
