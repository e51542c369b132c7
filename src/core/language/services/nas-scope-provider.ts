/**
 * Global scope = the built-in ops plus the files this document imports (directly), so a
 * name from a file that is open but not imported does not resolve (unlike Langium's
 * default, where every workspace document is visible).
 */
import {
  AstUtils,
  DefaultScopeProvider,
  MapScope,
  MultiMap,
  URI,
  WorkspaceCache,
  type AstNode,
  type AstNodeDescription,
  type LangiumCoreServices,
  type LangiumDocument,
  type ReferenceInfo,
  type Scope,
} from 'langium';
import type { Document } from '../syntax/generated/ast.js';
import { collectImportUris } from './imports.js';
import { OPS_URI } from '../../stdlib/ops.js';
import { NodeSlot } from '../../util/node-slot.js';

const NO_SYMBOLS: AstNodeDescription[] = [];

interface Generational<V> {
  readonly generation: number;
  readonly value: V;
}

export class NasScopeProvider extends DefaultScopeProvider {
  /**
   * Scopes per (container with symbols of the reference type, reference type), valid until the
   * workspace changes. Langium's default builds a chain of stream scopes for every reference
   * and searches them linearly, so a body of n named statements links in O(n²) (2.3 s of the
   * 4.7 s a 2,000-line network took to build). Map scopes built once per container make it
   * O(n). Containers without symbols of the type (a call, whose named arguments are symbols of
   * another type) are skipped, so the references of a body share one scope. Kept on the
   * containers, stamped with the workspace generation, rather than in WorkspaceCaches: clearing
   * a Map leaves its old table, pointing at the last build's containers, to the next full
   * collection, which kept replaced documents alive (docs/architecture.md, "A closed document
   * dies young").
   */
  private readonly scopeCache = new NodeSlot<AstNode, Generational<Map<string, Scope>>>('scopes');
  private readonly symbolCache = new NodeSlot<AstNode, Generational<Map<string, AstNodeDescription[]>>>('symbols by type');
  private readonly globalCache: WorkspaceCache<string, Scope>;
  /** Bumped on every workspace update, when a WorkspaceCache would be cleared. */
  private generation = 0;

  constructor(services: LangiumCoreServices) {
    super(services);
    this.globalCache = new WorkspaceCache(services.shared);
    services.shared.workspace.DocumentBuilder.onUpdate(() => {
      this.generation++;
    });
  }

  override getScope(context: ReferenceInfo): Scope {
    const referenceType = this.reflection.getReferenceType(context);
    return this.scopeFrom(context.container, referenceType, AstUtils.getDocument(context.container), context);
  }

  private scopeFrom(start: AstNode | undefined, referenceType: string, document: LangiumDocument, context: ReferenceInfo): Scope {
    let node = start;
    while (node && this.symbolsOf(node, referenceType, document).length === 0) node = node.$container;
    if (!node) {
      const key = `${document.uri.toString()}|${referenceType}`;
      let global = this.globalCache.get(key);
      if (!global) {
        global = this.getGlobalScope(referenceType, context);
        this.globalCache.set(key, global);
      }
      return global;
    }
    let byType = this.valid(this.scopeCache.get(node));
    if (!byType) {
      byType = new Map();
      this.scopeCache.set(node, { generation: this.generation, value: byType });
    }
    let scope = byType.get(referenceType);
    if (!scope) {
      const outer = this.scopeFrom(node.$container, referenceType, document, context);
      // Reversed so that, as in Langium's stream scopes, the first of duplicate names wins.
      scope = new MapScope([...this.symbolsOf(node, referenceType, document)].reverse(), outer);
      byType.set(referenceType, scope);
    }
    return scope;
  }

  private valid<V>(entry: Generational<V> | undefined): V | undefined {
    return entry !== undefined && entry.generation === this.generation ? entry.value : undefined;
  }

  private symbolsOf(node: AstNode, referenceType: string, document: LangiumDocument): AstNodeDescription[] {
    const local = document.localSymbols;
    // Most containers a reference passes on its way up have no symbols: no array for them.
    if (!local?.has(node)) return NO_SYMBOLS;
    let byType = this.valid(this.symbolCache.get(node));
    if (!byType) {
      byType = new Map();
      this.symbolCache.set(node, { generation: this.generation, value: byType });
    }
    let symbols = byType.get(referenceType);
    if (!symbols) {
      symbols = [];
      // Our scope computation returns a MultiMap: read its array rather than a stream.
      const all = local instanceof MultiMap ? local.get(node) : local.getStream(node).toArray();
      for (const d of all) if (this.reflection.isSubtype(d.type, referenceType)) symbols.push(d);
      byType.set(referenceType, symbols);
    }
    return symbols;
  }

  protected override getGlobalScope(referenceType: string, context: ReferenceInfo): Scope {
    const document = AstUtils.getDocument(context.container);
    const root = document.parseResult.value as Document;
    const uris = new Set<string>([URI.parse(OPS_URI).toString()]);
    for (const uri of collectImportUris(root, document.uri)) uris.add(uri.toString());
    uris.delete(document.uri.toString());
    return new MapScope(this.indexManager.allElements(referenceType, uris));
  }
}
