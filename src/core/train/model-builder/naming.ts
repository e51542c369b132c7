/**
 * Module paths for the nodes of an elaborated network: the names its weights carry in
 * safetensors files and in the PyTorch export (docs/training.md, "Weight names").
 *
 * A graph node's scope (`NB201ResBlock/a/ReLUConvBN/conv`) says where it was made but is not
 * unique: two instances of a block in one statement, or the same repeat index in two
 * statements, give equal scopes. Instances are told apart by the statement runs the evaluator
 * records (a block instance runs each statement of its body once, in order), and each path
 * segment gets the smallest free ordinal among its siblings of the same kind:
 *
 *   NB201Cell_6.n2.NB201Op_1.ReLUConvBN.conv      the 7th NB201Cell of the network, its
 *                                                  statement n2, the 2nd NB201Op there, ...
 *
 * A segment is a statement name as written (`n2`, `main`), a block or cell name with an
 * ordinal (`Name`, `Name_1`, ...) among the instances of that block in the same place, or an
 * op name with an ordinal among the ops of that kind in the same place (`conv`, `conv_1`).
 * No source positions enter a name, so comments, formatting and edits elsewhere leave it as
 * it is; what does rename is said in docs/training.md.
 */
import type { AstNode } from 'langium';
import type { ElaborationResult } from '../../semantics/evaluator/index.js';
import type { Definition } from '../../language/syntax/generated/ast.js';

/** One run of a block or cell: the nodes [start, end) its statements made. */
interface Instance {
  readonly def: Definition;
  start: number;
  end: number;
}

function containingDefinition(node: AstNode): { def: Definition; top: AstNode } | undefined {
  let top = node;
  for (let n: AstNode | undefined = node.$container; n; top = n, n = n.$container) {
    if (n.$type === 'Definition') return { def: n as Definition, top };
  }
  return undefined;
}

/**
 * The instances of every block and cell, per definition name, each list in node order and
 * disjoint (a definition cannot contain itself). A new instance starts when a statement of
 * the definition's body runs that is not after the last one run (statements inside a body's
 * `for` loop run once per iteration and count as the loop).
 */
function findInstances(result: ElaborationResult, network: Definition | undefined): Map<string, Instance[]> {
  const byName = new Map<string, Instance[]>();
  const open = new Map<Definition, { inst: Instance; last: number }>();
  result.statements.forEachRun((stmt, first, end) => {
    const c = containingDefinition(stmt);
    if (!c || c.def === network || c.def.kind === 'network' || c.def.kind === 'space') return;
    const idx = c.def.body.indexOf(c.top as never);
    const inLoop = c.top !== stmt;
    const o = open.get(c.def);
    if (o && (idx > o.last || (idx === o.last && inLoop))) {
      o.last = idx;
      o.inst.start = Math.min(o.inst.start, first);
      o.inst.end = Math.max(o.inst.end, end);
      return;
    }
    const inst: Instance = { def: c.def, start: first, end };
    open.set(c.def, { inst, last: idx });
    const list = byName.get(c.def.name) ?? (byName.set(c.def.name, []), byName.get(c.def.name)!);
    list.push(inst);
  });
  for (const list of byName.values()) list.sort((a, b) => a.start - b.start);
  return byName;
}

/** The instance of `list` whose nodes include `id`, if any. */
function instanceAt(list: readonly Instance[], id: number): Instance | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const inst = list[mid]!;
    if (id < inst.start) hi = mid - 1;
    else if (id >= inst.end) lo = mid + 1;
    else return inst;
  }
  return undefined;
}

/** A segment of a scope as the evaluator writes it: a statement or op name, or `Block` / `Block.3` (a repeat). */
function definitionNameOf(segment: string): string {
  const dot = segment.indexOf('.');
  return dot < 0 ? segment : segment.slice(0, dot);
}

type Step = { kind: 'stmt'; name: string } | { kind: 'instance'; name: string; inst: Instance } | { kind: 'op'; name: string; id: number };

/**
 * One segment of a module path: a block or cell instance (`def` names its definition), a
 * statement name, or the node's op (always the last).
 */
export interface ModuleSegment {
  readonly kind: 'instance' | 'stmt' | 'op';
  /** The segment as the path writes it (`NB201Cell_6`, `n2`, `conv_1`). */
  readonly token: string;
  /** The definition of an instance. */
  readonly def?: string;
}

/**
 * The module path of every node of the graph (the input node included), indexed by node id.
 * Paths are unique, and none is a prefix (up to a dot) of another, so that each can be a
 * PyTorch module and the weights its tensors.
 */
export function nodeModulePaths(result: ElaborationResult, network?: Definition): string[] {
  return nodeModuleSegments(result, network).map((segs) => segs.map((s) => s.token).join('.'));
}

/** The module path of every node as its segments (the PyTorch export makes a class per instance). */
export function nodeModuleSegments(result: ElaborationResult, network?: Definition): ModuleSegment[][] {
  const graph = result.graph;
  const instances = findInstances(result, network);
  const walks: Step[][] = [];
  for (let id = 0; id < graph.size; id++) {
    const scope = graph.scopeOf(id);
    const segments = scope === '' ? [graph.opOf(id)] : scope.split('/');
    const steps: Step[] = [];
    for (let k = 0; k < segments.length - 1; k++) {
      const seg = segments[k]!;
      const list = instances.get(definitionNameOf(seg));
      const inst = list ? instanceAt(list, id) : undefined;
      steps.push(inst ? { kind: 'instance', name: definitionNameOf(seg), inst } : { kind: 'stmt', name: seg });
    }
    steps.push({ kind: 'op', name: segments[segments.length - 1]!, id });
    walks.push(steps);
  }
  // A place is a parent instance plus the statement names below it; ordinals count per place.
  const instanceIds = new Map<Instance, number>();
  const placeOf = (parent: Instance | undefined, stmts: string): string => {
    let n = parent ? instanceIds.get(parent) : 0;
    if (n === undefined) instanceIds.set(parent!, (n = instanceIds.size + 1));
    return `${n}|${stmts}`;
  };
  // Statement names are the user's: reserve them first, so that ordinals step around them.
  const reserved = new Map<string, Set<string>>();
  const forEachStep = (steps: readonly Step[], visit: (s: Step, place: string) => void): void => {
    let parent: Instance | undefined;
    let stmts = '';
    for (const s of steps) {
      visit(s, placeOf(parent, stmts));
      if (s.kind === 'stmt') stmts += `/${s.name}`;
      else if (s.kind === 'instance') {
        parent = s.inst;
        stmts = '';
      }
    }
  };
  for (const steps of walks) {
    forEachStep(steps, (s, place) => {
      if (s.kind === 'stmt') (reserved.get(place) ?? (reserved.set(place, new Set()), reserved.get(place)!)).add(s.name);
    });
  }
  const used = new Map<string, Set<string>>();
  const assigned = new Map<Instance | number, string>();
  const tokenFor = (place: string, base: string, owner: Instance | number): string => {
    const known = assigned.get(owner);
    if (known !== undefined) return known;
    const taken = used.get(place) ?? (used.set(place, new Set()), used.get(place)!);
    const res = reserved.get(place);
    let k = 0;
    let token = base;
    while (taken.has(token) || res?.has(token)) token = `${base}_${++k}`;
    taken.add(token);
    assigned.set(owner, token);
    return token;
  };
  const out: ModuleSegment[][] = [];
  for (const steps of walks) {
    const segments: ModuleSegment[] = [];
    forEachStep(steps, (s, place) => {
      if (s.kind === 'stmt') segments.push({ kind: 'stmt', token: s.name });
      else if (s.kind === 'instance') segments.push({ kind: 'instance', token: tokenFor(place, s.name, s.inst), def: s.name });
      else segments.push({ kind: 'op', token: tokenFor(place, s.name, s.id) });
    });
    out.push(segments);
  }
  return out;
}
