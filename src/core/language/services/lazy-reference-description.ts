/** One entry of the references index; paths and segment are computed when read (kept elements move). */
import type { AstNode, AstNodeDescription, AstNodeLocator, DocumentSegment, Reference, ReferenceDescription, URI } from 'langium';
import { toDocumentSegment } from './lazy-node-description.js';

export class LazyReferenceDescription implements ReferenceDescription {
  constructor(
    readonly sourceUri: URI,
    readonly targetUri: URI,
    readonly local: boolean,
    private readonly locator: AstNodeLocator,
    private readonly container: AstNode,
    private readonly target: AstNodeDescription,
    private readonly reference: Reference,
  ) {}
  get sourcePath(): string {
    return this.locator.getAstNodePath(this.container);
  }
  get targetPath(): string {
    return this.target.path;
  }
  get segment(): DocumentSegment {
    return toDocumentSegment(this.reference.$refNode);
  }
}
