/** A node description whose segments and path are computed when read (one class: cheap to create). */
import type { AstNode, AstNodeDescription, AstNodeLocator, CstNode, DocumentSegment, NameProvider, URI } from 'langium';

export class LazyNodeDescription implements AstNodeDescription {
  readonly type: string;
  constructor(
    readonly node: AstNode,
    readonly name: string,
    readonly documentUri: URI,
    private readonly nameProvider: NameProvider,
    private readonly locator: AstNodeLocator,
  ) {
    this.type = node.$type;
  }
  get nameSegment(): DocumentSegment {
    return toDocumentSegment(this.nameProvider.getNameNode(this.node) ?? this.node.$cstNode);
  }
  get selectionSegment(): DocumentSegment {
    return toDocumentSegment(this.node.$cstNode);
  }
  get path(): string {
    return this.locator.getAstNodePath(this.node);
  }
}

/** Where a CST node lies, as Langium describes it (an empty segment at the start without one). */
export function toDocumentSegment(node: CstNode | undefined): DocumentSegment {
  if (!node) return { offset: 0, end: 0, length: 0, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  return { offset: node.offset, end: node.end, length: node.length, range: node.range };
}
