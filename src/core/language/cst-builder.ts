/**
 * A faster CST builder for Langium's parser. Langium's builder gives every composite node a
 * `content` array of an Array subclass (made with `Object.setPrototypeOf`) whose push and splice
 * set the children's `container`; creating and growing those arrays was about a tenth of the
 * parse time of a .nas file. Here `content` is a plain array and the builder sets `container`
 * itself; the one place where Langium's parser pushes into `content` directly (wrapping a node
 * for a tree-rewriting action, `{infer Call.callee=current}`) is repaired by `linkContainers`,
 * which the document factory runs on every parse result.
 */
import { CstNodeBuilder, type LeafCstNodeImpl, type CompositeCstNode, type CstNode } from 'langium';
import { COMPOSITE_PROTOTYPE, makeLeafConstructor } from './cst-nodes.js';

type AbstractElement = Parameters<CstNodeBuilder['buildCompositeNode']>[0];

interface Internals {
  rootNode: CompositeCstNode & { content: CstNode[] };
  nodeStack: Array<CompositeCstNode & { content: CstNode[] }>;
}

type IToken = Parameters<CstNodeBuilder['buildLeafNode']>[0];

type MutableNode = { container?: CompositeCstNode; root?: CstNode; grammarSource?: AbstractElement; content?: CstNode[] };

/** Leaves of Langium's parser (its own constructor: see cst-nodes.ts). */
const BuilderLeaf = makeLeafConstructor();

/** A leaf for a Chevrotain token (1-based lines and start column, as `CstUtils.tokenToRange`). */
function leafOf(token: IToken, hidden: boolean): LeafCstNodeImpl {
  return new BuilderLeaf(
    token.startOffset,
    token.image.length,
    (token.startLine ?? NaN) - 1,
    (token.startColumn ?? NaN) - 1,
    (token.endLine ?? NaN) - 1,
    token.endColumn ?? NaN,
    token.tokenType,
    hidden,
  );
}

export class NasCstNodeBuilder extends CstNodeBuilder {
  override buildCompositeNode(feature: AbstractElement): CompositeCstNode {
    const self = this as unknown as Internals;
    const node = Object.create(COMPOSITE_PROTOTYPE) as CompositeCstNode & MutableNode;
    node.content = [];
    node.grammarSource = feature;
    (node as MutableNode).root = self.rootNode;
    const parent = this.current as CompositeCstNode & { content: CstNode[] };
    node.container = parent;
    parent.content.push(node);
    self.nodeStack.push(node as CompositeCstNode & { content: CstNode[] });
    return node;
  }

  override buildLeafNode(token: IToken, feature?: AbstractElement): LeafCstNodeImpl {
    const self = this as unknown as Internals;
    const leaf = leafOf(token, !feature);
    const m = leaf as unknown as MutableNode;
    m.grammarSource = feature;
    m.root = self.rootNode;
    const parent = this.current as CompositeCstNode & { content: CstNode[] };
    m.container = parent;
    parent.content.push(leaf);
    return leaf;
  }

  override addHiddenNodes(tokens: IToken[]): void {
    if (tokens.length === 0) return;
    const self = this as unknown as Internals;
    const nodes: CstNode[] = [];
    for (const token of tokens) {
      const leaf = leafOf(token, true);
      (leaf as unknown as MutableNode).root = self.rootNode;
      nodes.push(leaf);
    }
    // Same placement as Langium's: into the current node if it has content, else before the
    // first ancestor that is not its parent's first child, else at the start of the root.
    let current = this.current as CompositeCstNode & { content: CstNode[] };
    const place = (parent: CompositeCstNode & { content: CstNode[] }): void => {
      for (const n of nodes) (n as unknown as MutableNode).container = parent;
    };
    if (current.content.length > 0) {
      place(current);
      current.content.push(...nodes);
      return;
    }
    while (current.container) {
      const parent = current.container as CompositeCstNode & { content: CstNode[] };
      const index = parent.content.indexOf(current);
      if (index > 0) {
        place(parent);
        parent.content.splice(index, 0, ...nodes);
        return;
      }
      current = parent;
    }
    place(self.rootNode);
    self.rootNode.content.unshift(...nodes);
  }
}

/** Sets every node's `container` to the node whose content holds it; returns the leaves. */
export function linkContainers(nodes: readonly CstNode[], parent: CompositeCstNode, leaves: CstNode[]): void {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    (node as unknown as MutableNode).container = parent;
    const content = (node as unknown as MutableNode).content;
    if (content !== undefined) linkContainers(content, node as CompositeCstNode, leaves);
    else leaves.push(node);
  }
}
