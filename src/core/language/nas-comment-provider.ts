/**
 * The comment before a node (documentation comments of definitions, for hover, completion and
 * signature help). Langium finds it as the CST node before the node's own, in its container's
 * children: for a top-level element that is the document root, whose children are every
 * chunk's, so the first hover over a use of a block built the CST of a whole 5,000-line file.
 * A top-level element of a chunk stored AST-only asks its chunk instead, which builds its own CST
 * and, for an element that opens its chunk (its comment ends the chunk before), the previous
 * chunk's (docs/architecture.md, "The fast parser builds no CST until something reads it").
 */
import { CstUtils, DefaultCommentProvider, type AstNode, type LangiumCoreServices } from 'langium';
import { lazyCstOwnerOf } from './fast-parser.js';

export class NasCommentProvider extends DefaultCommentProvider {
  private readonly config: LangiumCoreServices['parser']['GrammarConfig'];

  constructor(services: LangiumCoreServices) {
    super(services);
    this.config = services.parser.GrammarConfig;
  }

  override getComment(node: AstNode): string | undefined {
    const owner = node.$container !== undefined && node.$container.$container === undefined && !('$comment' in node) ? lazyCstOwnerOf(node) : undefined;
    const cst = owner !== undefined ? node.$cstNode : undefined;
    if (owner !== undefined && cst !== undefined) {
      const previous = owner.previousTopLevelNode(cst);
      if (previous !== null) return previous !== undefined && CstUtils.isCommentNode(previous, this.config.multilineCommentRules) ? previous.text : undefined;
    }
    return super.getComment(node);
  }
}
