/**
 * Descriptions whose path and segments are computed when read: an element kept by the
 * incremental parse moves (its index and offsets change) while its descriptions live on.
 */
import { AstUtils, DefaultAstNodeDescriptionProvider, type AstNode, type AstNodeDescription, type LangiumDocument } from 'langium';
import { LazyNodeDescription } from './lazy-node-description.js';

export class NasAstNodeDescriptionProvider extends DefaultAstNodeDescriptionProvider {
  override createDescription(node: AstNode, name: string | undefined, document?: LangiumDocument): AstNodeDescription {
    const doc = document ?? AstUtils.getDocument(node);
    const resolved = name ?? this.nameProvider.getName(node);
    if (!resolved) throw new Error(`Node at path ${this.astNodeLocator.getAstNodePath(node)} has no name.`);
    return new LazyNodeDescription(node, resolved, doc.uri, this.nameProvider, this.astNodeLocator);
  }
}
