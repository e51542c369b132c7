/**
 * Allocation-free walks over the .nas AST. Langium's generic `streamAst`/`streamReferences`
 * build an iterator object per node and look up the type's metadata for every property; on a
 * 5,000-line file the passes that walk every node (local symbols, reference lists, validation)
 * spent about 60 ms in those streams, each walking the whole tree. Here one walk per top-level
 * element collects its nodes and references, kept while the element's objects are (the
 * incremental parse keeps unchanged elements). The grammar is small, so the children of each
 * node type are written out in a switch; `test/core/ast-walk.test.ts` checks the walk against
 * Langium's own streams on every example and on damaged texts, so a grammar change that adds
 * a child property fails a test instead of silently skipping nodes.
 */
import type { AstNode, Reference, ReferenceInfo } from 'langium';
import { NodeSlot } from '../../util/node-slot.js';

/** The child-bearing properties the walk reads (a node has those of its type only). */
interface Node extends AstNode {
  readonly [key: string]: unknown;
  readonly left?: Node;
  readonly right?: Node;
  readonly target?: Reference;
  readonly callee?: Node;
  readonly args?: Node[];
  readonly value?: Node;
  readonly receiver?: Node;
  readonly index?: Node;
  readonly items?: Node[];
  readonly inner?: Node;
  readonly operand?: Node;
  readonly condition?: Node;
  readonly then?: Node;
  readonly else?: Node;
  readonly default?: Node;
  readonly params?: Node[];
  readonly body?: Node[];
  readonly dims?: Node[];
  readonly names?: Node[];
  readonly variable?: Node;
  readonly iterable?: Node;
  readonly space?: Reference;
  readonly cell?: Reference;
  readonly fixed?: Node;
  readonly entries?: Node[];
  readonly lines?: Node[];
  readonly op?: Node;
  readonly input?: Node;
  readonly imports?: Node[];
  readonly elements?: Node[];
}

/**
 * Appends `node` and every node it contains to `out`, depth first, parents before children and
 * children in property order (the order of `AstUtils.streamAst`); cross-references go to
 * `refs`. A switch per type with plain property reads: a table-driven walk reads properties by
 * computed key, which V8 cannot cache across the many node shapes.
 */
function walkInto(node: Node, out: AstNode[], refs: FoundReference[]): void {
  out.push(node);
  switch (node.$type) {
    case 'BinaryExpr':
      if (node.left) walkInto(node.left, out, refs);
      if (node.right) walkInto(node.right, out, refs);
      return;
    case 'Ref':
      if (node.target) refs.push(infoOf(node.target, node, 'target'));
      return;
    case 'NumberLit':
    case 'StringLit':
    case 'BoolLit':
    case 'Import':
    case 'InputName':
    case 'LoopVar':
    case 'ObjectiveItem':
      return;
    case 'Call':
      if (node.callee) walkInto(node.callee, out, refs);
      walkAll(node.args, out, refs);
      return;
    case 'Arg':
    case 'Node':
    case 'Let':
    case 'OutputStmt':
    case 'ConstraintItem':
    case 'SeedItem':
      if (node.value) walkInto(node.value, out, refs);
      return;
    case 'Member':
      if (node.receiver) walkInto(node.receiver, out, refs);
      return;
    case 'Index':
      if (node.receiver) walkInto(node.receiver, out, refs);
      if (node.index) walkInto(node.index, out, refs);
      return;
    case 'ListLit':
      walkAll(node.items, out, refs);
      return;
    case 'Paren':
      if (node.inner) walkInto(node.inner, out, refs);
      return;
    case 'Unary':
      if (node.operand) walkInto(node.operand, out, refs);
      return;
    case 'IfExpr':
      if (node.condition) walkInto(node.condition, out, refs);
      if (node.then) walkInto(node.then, out, refs);
      if (node.else) walkInto(node.else, out, refs);
      return;
    case 'Param':
      if (node.default) walkInto(node.default, out, refs);
      return;
    case 'Definition':
      walkAll(node.params, out, refs);
      walkAll(node.body, out, refs);
      if (node.fixed) walkInto(node.fixed, out, refs);
      return;
    case 'Fixed':
      if (node.space) refs.push(infoOf(node.space, node, 'space'));
      walkAll(node.args, out, refs);
      walkAll(node.entries, out, refs);
      return;
    case 'FixedGroup':
      if (node.cell) refs.push(infoOf(node.cell, node, 'cell'));
      walkAll(node.lines, out, refs);
      return;
    case 'FixedLine':
    case 'FixedList':
      walkAll(node.items, out, refs);
      return;
    case 'FixedItem':
      if (node.op) walkInto(node.op, out, refs);
      if (node.input) walkInto(node.input, out, refs);
      if (node.value) walkInto(node.value, out, refs);
      return;
    case 'FixedAtom':
      return;
    case 'InputStmt':
      walkAll(node.dims, out, refs);
      walkAll(node.names, out, refs);
      return;
    case 'ForStmt':
      if (node.variable) walkInto(node.variable, out, refs);
      if (node.iterable) walkInto(node.iterable, out, refs);
      walkAll(node.body, out, refs);
      return;
    case 'Search':
      walkAll(node.items, out, refs);
      return;
    case 'SpaceItem':
      if (node.space) refs.push(infoOf(node.space, node, 'space'));
      return;
    case 'StrategyItem':
    case 'EvaluatorItem':
      walkAll(node.args, out, refs);
      return;
    case 'BudgetItem':
      if (node.value) walkInto(node.value, out, refs);
      walkAll(node.args, out, refs);
      return;
    case 'Document':
      walkAll(node.imports, out, refs);
      walkAll(node.elements, out, refs);
      return;
    default:
      // After a syntax error the parser can leave nodes of abstract rule types (`Expr`):
      // walk those like Langium does, property by property.
      walkGeneric(node, out, refs);
  }
}

function walkGeneric(node: Node, out: AstNode[], refs: FoundReference[]): void {
  for (const property of Object.keys(node)) {
    if (property.startsWith('$')) continue;
    const value: unknown = node[property];
    if (isReferenceLike(value)) refs.push(infoOf(value, node, property));
    else if (isNodeLike(value)) walkInto(value, out, refs);
    else if (Array.isArray(value)) for (const item of value) if (isNodeLike(item)) walkInto(item, out, refs);
  }
}

function isNodeLike(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { $type?: unknown }).$type === 'string';
}

function isReferenceLike(v: unknown): v is Reference {
  return typeof v === 'object' && v !== null && typeof (v as { $refText?: unknown }).$refText === 'string';
}

function walkAll(nodes: Node[] | undefined, out: AstNode[], refs: FoundReference[]): void {
  if (!nodes) return;
  for (let i = 0; i < nodes.length; i++) {
    const child = nodes[i];
    if (child) walkInto(child, out, refs);
  }
}

/** One cross-reference (the shape of Langium's `ReferenceInfo`). */
export interface FoundReference {
  readonly reference: Reference;
  readonly container: AstNode;
  readonly property: string;
}

/**
 * The record of a reference: the reference itself where it is one (NasReference, nas-linker.ts,
 * knows its container and property), else a new object. A record per reference was 9,700
 * objects kept alive per 5,000-line file.
 */
function infoOf(reference: Reference, container: AstNode, property: string): FoundReference {
  const own = reference as Partial<FoundReference>;
  return own.reference === reference && own.container === container && own.property === property ? (own as FoundReference) : { reference, container, property };
}

/** The nodes and cross-references inside one top-level element, from a single walk. */
export interface ElementContents {
  /** The element and every node it contains, in `streamAst` order. */
  readonly nodes: readonly AstNode[];
  readonly references: FoundReference[];
}

const contents = new NodeSlot<AstNode, ElementContents>('element contents');

/**
 * The contents of a top-level element, walked once per element object: the incremental
 * parse keeps an unchanged element's objects, so its walk is kept too.
 */
export function contentsOf(element: AstNode): ElementContents {
  let c = contents.get(element);
  if (!c) {
    const nodes: AstNode[] = [];
    const references: FoundReference[] = [];
    walkInto(element as Node, nodes, references);
    c = { nodes, references };
    contents.set(element, c);
  }
  return c;
}

/** Every node inside `node` (itself included) in `streamAst` order, not cached. */
export function allNodesOf(node: AstNode): AstNode[] {
  const nodes: AstNode[] = [];
  walkInto(node as Node, nodes, []);
  return nodes;
}

/** Every reference inside a top-level element, collected once per element object. */
export function referencesOf(element: AstNode): ReferenceInfo[] {
  return contentsOf(element).references;
}

/** The top-level element (a child of the document root) that contains `node`. */
export function topLevelElementOf(node: AstNode): AstNode {
  let n = node;
  while (n.$container && n.$container.$container) n = n.$container;
  return n;
}
