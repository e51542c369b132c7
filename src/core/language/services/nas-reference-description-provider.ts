/**
 * The references index of a document, from the per-element reference lists; an element whose
 * references were all kept by the linker keeps its entries (link-versions.ts).
 * `NasIndexManager` asks for them only when the index is read (`descriptionsNow`).
 */
import {
  Cancellation,
  DefaultReferenceDescriptionProvider,
  interruptAndCheck,
  isReference,
  type AstNode,
  type AstNodeDescription,
  type LangiumDocument,
  type Reference,
  type ReferenceDescription,
  type ReferenceInfo,
} from 'langium';
import type { Document } from '../syntax/generated/ast.js';
import { referencesOf } from './ast-walk.js';
import { linkVersionOf } from './link-versions.js';
import { LazyReferenceDescription } from './lazy-reference-description.js';
import { NodeSlot } from '../../util/node-slot.js';

export class NasReferenceDescriptionProvider extends DefaultReferenceDescriptionProvider {
  private readonly byElement = new NodeSlot<AstNode, { version: number; uri: string; entries: ReferenceDescription[] }>('reference descriptions');

  override async createDescriptions(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<ReferenceDescription[]> {
    await interruptAndCheck(cancelToken);
    return this.descriptionsNow(document);
  }

  /** The document's reference descriptions, from its AST and links as they are now. */
  descriptionsNow(document: LangiumDocument): ReferenceDescription[] {
    const root = document.parseResult.value as Document;
    const out: ReferenceDescription[] = [];
    const sourceUri = document.uri;
    const source = sourceUri.toString();
    for (const element of [...(root.imports ?? []), ...(root.elements ?? [])] as AstNode[]) {
      const version = linkVersionOf(element);
      let cached = this.byElement.get(element);
      if (!cached || cached.version !== version || cached.uri !== source) {
        const entries: ReferenceDescription[] = [];
        for (const info of referencesOf(element)) {
          const target = indexedTarget(info.reference);
          if (!target) continue;
          const local = target.documentUri.toString() === source;
          entries.push(
            new LazyReferenceDescription(sourceUri, target.documentUri, local, this.nodeLocator, info.container, target, info.reference as Reference),
          );
        }
        cached = { version, uri: source, entries };
        this.byElement.set(element, cached);
      }
      for (const e of cached.entries) out.push(e);
    }
    return out;
  }

  /**
   * Whether the references index of `document` has an entry that is not local and targets one
   * of `uris` (Langium's `isAffected`), without creating the descriptions.
   */
  refersToAny(document: LangiumDocument, uris: ReadonlySet<string>): boolean {
    const root = document.parseResult.value as Document;
    const source = document.uri.toString();
    for (const element of [...(root.imports ?? []), ...(root.elements ?? [])] as AstNode[]) {
      for (const info of referencesOf(element)) {
        const target = indexedTarget(info.reference);
        if (!target) continue;
        const uri = target.documentUri.toString();
        if (uri !== source && uris.has(uri)) return true;
      }
    }
    return false;
  }
}

/** The target of a reference that Langium's references index lists: a linked reference with a CST node. */
function indexedTarget(reference: ReferenceInfo['reference']): AstNodeDescription | undefined {
  if (!isReference(reference) || reference.error || !reference.$refNode) return undefined;
  return reference.$nodeDescription;
}
