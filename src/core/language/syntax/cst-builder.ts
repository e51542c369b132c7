/**
 * A compact CST for Langium's parser: the same tree as Langium's `CstNodeBuilder` builds (same
 * nodes, grammar sources, token types, containers and comment placement; Langium's node classes
 * are their prototypes, so `CstUtils`, `GrammarUtils` and the LSP services treat them as their
 * own), in less memory, at positions in the whole document.
 *
 * Every document keeps its CST, about three nodes per token. Langium's nodes add properties
 * after construction (stored out of line), give each composite an Array subclass for its
 * children, and each leaf a range object with two position objects: about 7 MB per 1,000 lines,
 * which the young-generation collector copies while the next check runs. Here a node is one
 * object with its fields in place, children are an exact-size plain array, and a leaf keeps its
 * position as numbers and makes a range when read (a composite takes its range from its leaves).
 *
 * The document factory parses a document chunk by chunk (chunks.ts); `startAt` puts a chunk's
 * leaves where the chunk starts, and a kept chunk moves by shifting its leaves (`moveLeaf`).
 */
import { CompositeCstNodeImpl, CstNodeBuilder, LeafCstNodeImpl, RootCstNodeImpl, type CompositeCstNode, type CstNode, type LangiumParser } from 'langium';

type Feature = Parameters<CstNodeBuilder['buildCompositeNode']>[0];
type IToken = Parameters<CstNodeBuilder['buildLeafNode']>[0];
type TokenType = LeafCstNodeImpl['tokenType'];
type Range = CstNode['range'];

/** A composite node's fields (Langium's, less its cached range). */
interface Composite {
  content: CstNode[];
  grammarSource: Feature | undefined;
  root: RootCstNodeImpl;
  container: Composite | undefined;
  _astNode: unknown;
}

/** A leaf's fields: Langium's, with four numbers in place of its range object. */
export interface LeafFields {
  _hidden: boolean;
  _offset: number;
  _tokenType: TokenType;
  _length: number;
  _line: number;
  _character: number;
  _endLine: number;
  _endCharacter: number;
  grammarSource: Feature | undefined;
  root: RootCstNodeImpl;
  container: Composite;
}

/** Langium's builder's own state (`CstNodeBuilder` keeps it in these fields). */
interface BuilderState {
  rootNode: RootCstNodeImpl;
  nodeStack: Composite[];
}

const LEAF_PROTOTYPE: object = Object.create(LeafCstNodeImpl.prototype, {
  range: {
    get(this: LeafFields): Range {
      // Field order as `CstUtils.tokenToRange` makes them.
      return { start: { character: this._character, line: this._line }, end: { character: this._endCharacter, line: this._endLine } };
    },
    configurable: true,
  },
});

interface CompositeView {
  readonly firstNonHiddenNode: CstNode | undefined;
  readonly lastNonHiddenNode: CstNode | undefined;
}

const COMPOSITE_PROTOTYPE: object = Object.create(CompositeCstNodeImpl.prototype, {
  range: {
    get(this: CompositeView): Range {
      const first = this.firstNonHiddenNode;
      const last = this.lastNonHiddenNode;
      if (!first || !last) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const start = first.range.start;
      const end = last.range.end;
      // As Langium: a range never ends before it starts.
      return { start, end: end.line < start.line ? start : end };
    },
    configurable: true,
  },
});

/**
 * A leaf constructor. V8 sizes a constructor's objects by the fields its first objects get and
 * tracks each field's representation per constructor: the fields are all set here, in one
 * order, and positions are stored as small integers (`| 0`: Chevrotain's tokens hold their
 * numbers boxed, and one boxed number stored here would box every leaf's). Lines and start
 * columns are made 0-based as `CstUtils.tokenToRange` does. Langium's parser makes leaves of
 * whole tokens only (`LangiumParser.isValidToken`: none inserted by error recovery, none without
 * a position), and comments always have one.
 */
function initLeaf(
  this: LeafFields,
  token: IToken,
  offset: number,
  line: number,
  hidden: boolean,
  feature: Feature | undefined,
  root: RootCstNodeImpl,
  container: Composite,
): void {
  this._hidden = hidden;
  this._offset = (token.startOffset + offset) | 0;
  this._tokenType = token.tokenType;
  this._length = token.image.length | 0;
  this._line = (token.startLine! - 1 + line) | 0;
  this._character = (token.startColumn! - 1) | 0;
  this._endLine = (token.endLine! - 1 + line) | 0;
  this._endCharacter = token.endColumn! | 0;
  this.grammarSource = feature;
  this.root = root;
  this.container = container;
}
initLeaf.prototype = LEAF_PROTOTYPE;
const Leaf = initLeaf as unknown as new (...args: Parameters<typeof initLeaf>) => LeafFields;

/**
 * The children of a composite node that has none yet: most composite nodes get exactly one, which
 * then goes into an array of one (`addChild`); an array grown by a push has room for sixteen.
 */
const NO_CHILDREN: CstNode[] = Object.freeze([]) as unknown as CstNode[];

function addChild(parent: Composite, child: CstNode): void {
  if (parent.content === NO_CHILDREN) parent.content = [child];
  else parent.content.push(child);
}

const Composite = function (this: Composite, feature: Feature, root: RootCstNodeImpl, container: Composite): void {
  // Langium's parser pushes into a tree-rewriting action's node itself (`{infer Call.callee=current}`).
  this.content = feature.$type === 'Action' ? [] : NO_CHILDREN;
  this.grammarSource = feature;
  this.root = root;
  this.container = container;
  this._astNode = undefined;
} as unknown as new (feature: Feature, root: RootCstNodeImpl, container: Composite) => Composite;
(Composite as unknown as { prototype: object }).prototype = COMPOSITE_PROTOTYPE;

export class NasCstNodeBuilder extends CstNodeBuilder {
  /** Where the text being parsed starts in its document (offset, 0-based line). */
  private offset = 0;
  private line = 0;

  private get state(): BuilderState {
    return this as unknown as BuilderState;
  }

  /** The next parse's text starts at (offset, line) of its document. */
  startAt(offset: number, line: number): void {
    this.offset = offset;
    this.line = line;
  }

  override buildRootNode(input: string): ReturnType<CstNodeBuilder['buildRootNode']> {
    const root = super.buildRootNode(input);
    (root as unknown as { content: CstNode[] }).content = [];
    return root;
  }

  override buildCompositeNode(feature: Feature): CompositeCstNode {
    const { rootNode, nodeStack } = this.state;
    const parent = this.current as unknown as Composite;
    const node = new Composite(feature, rootNode, parent);
    addChild(parent, node as unknown as CstNode);
    nodeStack.push(node);
    return node as unknown as CompositeCstNode;
  }

  override buildLeafNode(token: IToken, feature?: Feature): LeafCstNodeImpl {
    const parent = this.current as unknown as Composite;
    const leaf = this.leaf(token, !feature, feature, parent);
    addChild(parent, leaf as unknown as CstNode);
    return leaf as unknown as LeafCstNodeImpl;
  }

  private leaf(token: IToken, hidden: boolean, feature: Feature | undefined, container: Composite): LeafFields {
    return new Leaf(token, this.offset, this.line, hidden, feature, this.state.rootNode, container);
  }

  override addHiddenNodes(tokens: IToken[]): void {
    if (tokens.length === 0) return;
    // Langium's placement: into the current node if it has content, else before the first
    // ancestor that is not its parent's first child, else at the start of the root.
    let current = this.current as unknown as Composite;
    const make = (parent: Composite): CstNode[] => tokens.map((t) => this.leaf(t, true, undefined, parent) as unknown as CstNode);
    if (current.content.length > 0) {
      current.content.push(...make(current));
      return;
    }
    while (current.container) {
      const parent = current.container;
      const index = parent.content.indexOf(current as unknown as CstNode);
      if (index > 0) {
        parent.content.splice(index, 0, ...make(parent));
        return;
      }
      current = parent;
    }
    const root = this.state.rootNode as unknown as Composite;
    root.content.unshift(...make(root));
  }

  /**
   * Finishes the current node, as Langium's builder does; its children are final now (only an
   * open node gains or loses children), so several get an exact-size array, and their container is
   * set where Langium's parser moved a node into it directly (a tree-rewriting action,
   * `{infer Call.callee=current}`).
   */
  override construct(item: Parameters<CstNodeBuilder['construct']>[0]): void {
    const node = this.current as unknown as Composite;
    super.construct(item);
    const content = node.content;
    if (content.length === 0) return;
    if (node.grammarSource?.$type === 'Action') for (const child of content) (child as unknown as Composite).container = node;
    if (content.length > 1) node.content = content.slice();
  }
}

/** Shifts a leaf made by `NasCstNodeBuilder` (a kept chunk moved). */
export function moveLeaf(leaf: LeafFields, dOffset: number, dLine: number): void {
  leaf._offset = (leaf._offset + dOffset) | 0;
  leaf._line = (leaf._line + dLine) | 0;
  leaf._endLine = (leaf._endLine + dLine) | 0;
}

/** The builder of `parser`, made ours when first asked for (Langium's parser creates its own). */
export function cstBuilderOf(parser: LangiumParser): NasCstNodeBuilder {
  const internals = parser as unknown as { nodeBuilder: CstNodeBuilder };
  if (internals.nodeBuilder instanceof NasCstNodeBuilder) return internals.nodeBuilder;
  const builder = new NasCstNodeBuilder();
  internals.nodeBuilder = builder;
  return builder;
}
