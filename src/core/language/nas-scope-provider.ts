/**
 * Global scope = the built-in ops plus the files this document imports (directly), so a
 * name from a file that is open but not imported does not resolve (unlike Langium's
 * default, where every workspace document is visible).
 */
import { DefaultScopeProvider, DefaultScopeComputation, AstUtils, MapScope, URI, type AstNode, type AstNodeDescription, type LangiumDocument, type MultiMap, type ReferenceInfo, type Scope } from 'langium';
import type { Document } from './generated/ast.js';
import { collectImportUris } from './imports.js';
import { OPS_URI } from '../stdlib/ops.js';

export class NasScopeProvider extends DefaultScopeProvider {
  protected override getGlobalScope(referenceType: string, context: ReferenceInfo): Scope {
    const document = AstUtils.getDocument(context.container);
    const root = document.parseResult.value as Document;
    const uris = new Set<string>([URI.parse(OPS_URI).toString()]);
    for (const uri of collectImportUris(root, document.uri)) uris.add(uri.toString());
    uris.delete(document.uri.toString());
    return new MapScope(this.indexManager.allElements(referenceType, uris));
  }
}

export function uriOf(text: string): URI {
  return URI.parse(text);
}

/**
 * Named inputs (`input s0, s1`) are visible in the whole body of their definition, not only
 * inside the `input` statement that declares them.
 */
export class NasScopeComputation extends DefaultScopeComputation {
  protected override addLocalSymbol(node: AstNode, document: LangiumDocument, symbols: MultiMap<AstNode, AstNodeDescription>): void {
    if (node.$type === 'InputName' && node.$container?.$container) {
      const name = this.nameProvider.getName(node);
      if (name) symbols.add(node.$container.$container, this.descriptions.createDescription(node, name, document));
      return;
    }
    super.addLocalSymbol(node, document, symbols);
  }
}
