/**
 * AST paths with one read of a node's place per segment. Langium's locator reads
 * `$containerProperty` and `$containerIndex` one after the other; on the fast parser's nodes
 * both are derived from the container (fast-parser.ts, containerSlot), so reading them
 * separately scanned the container twice. Nodes of Langium's own parser (a chunk with a syntax
 * error) keep their own fields, which are read as before.
 */
import { DefaultAstNodeLocator, type AstNode } from 'langium';
import { containerSlot } from './fast-parser.js';

export class NasAstNodeLocator extends DefaultAstNodeLocator {
  protected override getPathSegment(node: AstNode): string {
    if (Object.hasOwn(node, '$containerProperty')) return super.getPathSegment(node);
    const slot = containerSlot(node as Parameters<typeof containerSlot>[0]);
    if (slot === undefined) throw new Error("Missing '$containerProperty' in AST node.");
    return slot.index === undefined ? slot.property : slot.property + this.indexSeparator + slot.index;
  }
}
