/**
 * Global scope = the built-in ops plus the files this document imports (directly), so a
 * name from a file that is open but not imported does not resolve (unlike Langium's
 * default, where every workspace document is visible).
 */
import {
  Cancellation,
  DefaultAstNodeDescriptionProvider,
  DefaultReferenceDescriptionProvider,
  DefaultScopeProvider,
  DefaultIndexManager,
  DocumentState,
  MultiMap,
  interruptAndCheck,
  isReference,
  type ReferenceDescription,
  DefaultScopeComputation,
  AstUtils,
  MapScope,
  URI,
  WorkspaceCache,
  type AstNode,
  type AstNodeDescription,
  type LangiumCoreServices,
  type LangiumDocument,
  type ReferenceInfo,
  type Scope,
  type CstNode,
  type DocumentSegment,
  type AstNodeLocator,
  type AstReflection,
  type NameProvider,
  type Reference,
  type LangiumDocuments,
  type LangiumSharedCoreServices,
  type Stream,
} from 'langium';
import type { Document } from './generated/ast.js';
import { collectImportUris } from './imports.js';
import { linkVersionOf, referencesOf } from './incremental.js';
import { contentsOf } from './ast-walk.js';
import { OPS_URI } from '../stdlib/ops.js';
import { NodeSlot } from '../util/node-slot.js';

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

export function uriOf(text: string): URI {
  return URI.parse(text);
}

/**
 * Named inputs (`input s0, s1`) are visible in the whole body of their definition, not only
 * inside the `input` statement that declares them.
 *
 * Only nodes that a reference can target are local symbols. Langium's default makes one of
 * every node with a name, but the grammar's references target `NamedElement`s and `Definition`s
 * only: named arguments (`k=3`) and searches were 5,700 of the 6,700 local symbols of the
 * 5,002-line benchmark file, each a description kept alive with the document, and every call
 * a container that the scope provider looked up, for nothing. Scopes filter symbols by the
 * reference type anyway, so linking and completion see the same symbols as before.
 */
export class NasScopeComputation extends DefaultScopeComputation {
  /** The local symbols inside each top-level element, collected once per element object. */
  private readonly inner = new NodeSlot<AstNode, Array<[AstNode, AstNodeDescription]>>('inner symbols');
  /** Per node type: whether some reference of the grammar can target it. */
  private readonly referenceable = new Map<string, boolean>();
  private targetTypes?: string[];
  private readonly reflection: AstReflection;

  constructor(services: LangiumCoreServices) {
    super(services);
    this.reflection = services.shared.AstReflection;
  }

  /**
   * Langium's default walks the whole AST after every change; an element kept by the
   * incremental parse (src/core/language/incremental.ts) has the same symbols as before.
   */
  override async collectLocalSymbols(
    document: LangiumDocument,
    cancelToken = Cancellation.CancellationToken.None,
  ): Promise<MultiMap<AstNode, AstNodeDescription>> {
    const root = document.parseResult.value as Document;
    const symbols = new MultiMap<AstNode, AstNodeDescription>();
    for (const element of [...(root.imports ?? []), ...(root.elements ?? [])] as AstNode[]) {
      await interruptAndCheck(cancelToken);
      this.addLocalSymbol(element, document, symbols);
      let entries = this.inner.get(element);
      if (!entries) {
        entries = [];
        const nodes = contentsOf(element).nodes;
        for (let i = 1; i < nodes.length; i++) {
          const node = nodes[i]!;
          if (!this.isReferenceable(node.$type)) continue;
          // Named inputs (`input s0, s1`) belong to the definition, not to the input statement.
          const container = node.$type === 'InputName' ? node.$container?.$container : node.$container;
          if (!container) continue;
          const name = this.nameProvider.getName(node);
          if (name) entries.push([container, this.descriptions.createDescription(node, name, document)]);
        }
        this.inner.set(element, entries);
      }
      for (const [container, description] of entries) symbols.add(container, description);
    }
    return symbols;
  }

  protected override addLocalSymbol(node: AstNode, document: LangiumDocument, symbols: MultiMap<AstNode, AstNodeDescription>): void {
    if (!this.isReferenceable(node.$type)) return;
    if (node.$type === 'InputName' && node.$container?.$container) {
      const name = this.nameProvider.getName(node);
      if (name) symbols.add(node.$container.$container, this.descriptions.createDescription(node, name, document));
      return;
    }
    super.addLocalSymbol(node, document, symbols);
  }

  /** Whether `type` is a subtype of the target type of some cross-reference of the grammar. */
  isReferenceable(type: string): boolean {
    let known = this.referenceable.get(type);
    if (known === undefined) {
      const reflection = this.reflection;
      this.targetTypes ??= [
        ...new Set(
          reflection.getAllTypes().flatMap((t) =>
            Object.values(reflection.getTypeMetaData(t).properties)
              .map((p) => p.referenceType)
              .filter((r): r is string => r !== undefined),
          ),
        ),
      ];
      known = this.targetTypes.some((target) => reflection.isSubtype(type, target));
      this.referenceable.set(type, known);
    }
    return known;
  }
}

/**
 * Descriptions whose path and segments are computed when read: an element kept by the
 * incremental parse moves (its index and offsets change) while its descriptions live on.
 */
export class NasAstNodeDescriptionProvider extends DefaultAstNodeDescriptionProvider {
  override createDescription(node: AstNode, name: string | undefined, document?: LangiumDocument): AstNodeDescription {
    const doc = document ?? AstUtils.getDocument(node);
    const resolved = name ?? this.nameProvider.getName(node);
    if (!resolved) throw new Error(`Node at path ${this.astNodeLocator.getAstNodePath(node)} has no name.`);
    return new LazyNodeDescription(node, resolved, doc.uri, this.nameProvider, this.astNodeLocator);
  }
}

/** A node description whose segments and path are computed when read (one class: cheap to create). */
class LazyNodeDescription implements AstNodeDescription {
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

/** One entry of the references index; paths and segment are computed when read (kept elements move). */
class LazyReferenceDescription implements ReferenceDescription {
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

/**
 * The references index of a document, from the per-element reference lists; an element whose
 * references were all kept by the linker keeps its entries (src/core/language/incremental.ts).
 * `NasIndexManager` asks for them only when the index is read (`descriptionsNow`).
 */
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

/**
 * Langium's index manager with the references index built on demand. Langium stores each
 * document's reference descriptions when the document is linked (the IndexedReferences phase),
 * yet reads them only to find references (find-all-references, rename) and to decide which
 * documents to relink after a change (`isAffected`). On a 5,000-line file they were 9,700
 * descriptions kept alive per document for nothing. Here that phase records the document, and
 * the descriptions are made from its AST and links when the index is first read.
 *
 * Made later, they are the same: Langium removes a document's entry whenever its links are
 * reset (`resetToState`, `remove`) and stores a new one after it is linked again, so as long as
 * an entry exists the document's references are those of the link that stored it. An entry is
 * dropped without being read if its document no longer is what it recorded (replaced under
 * its URI, re-parsed, or not yet linked again: a rebuild that did not go through
 * `removeReferences`): it then describes nothing live, as an entry removed by Langium would.
 */
export class NasIndexManager extends DefaultIndexManager {
  /** Documents whose references are not described yet, by URI. */
  private readonly pending = new Map<string, { document: LangiumDocument; root: AstNode }>();
  private readonly allDocuments: LangiumDocuments;

  constructor(services: LangiumSharedCoreServices) {
    super(services);
    this.allDocuments = services.workspace.LangiumDocuments;
  }

  override async updateReferences(document: LangiumDocument, cancelToken = Cancellation.CancellationToken.None): Promise<void> {
    const provider = this.serviceRegistry.getServices(document.uri).workspace.ReferenceDescriptionProvider;
    if (!(provider instanceof NasReferenceDescriptionProvider)) return super.updateReferences(document, cancelToken);
    const uri = document.uri.toString();
    this.referenceIndex.delete(uri);
    this.pending.set(uri, { document, root: document.parseResult.value });
  }

  override removeReferences(uri: URI): void {
    this.pending.delete(uri.toString());
    super.removeReferences(uri);
  }

  override remove(uri: URI): void {
    this.pending.delete(uri.toString());
    super.remove(uri);
  }

  override findAllReferences(targetNode: AstNode, astNodePath: string): Stream<ReferenceDescription> {
    for (const uri of [...this.pending.keys()]) this.describe(uri);
    return super.findAllReferences(targetNode, astNodePath);
  }

  override isAffected(document: LangiumDocument, changedUris: Set<string>): boolean {
    const uri = document.uri.toString();
    const entry = this.pending.get(uri);
    if (!entry) return super.isAffected(document, changedUris);
    if (!this.isCurrent(entry)) {
      this.pending.delete(uri);
      return false;
    }
    return this.providerOf(entry.document).refersToAny(entry.document, changedUris);
  }

  /** Whether the references of `uri` are described yet (for tests and benchmarks). */
  isDescribed(uri: URI): boolean {
    return !this.pending.has(uri.toString());
  }

  /** Makes the descriptions of a pending document and stores them as Langium would have. */
  private describe(uri: string): void {
    const entry = this.pending.get(uri);
    if (!entry) return;
    this.pending.delete(uri);
    if (this.isCurrent(entry)) this.referenceIndex.set(uri, this.providerOf(entry.document).descriptionsNow(entry.document));
  }

  /** The recorded document is still the one under its URI, with the AST and links it was recorded with. */
  private isCurrent(entry: { document: LangiumDocument; root: AstNode }): boolean {
    const { document, root } = entry;
    return (
      document.parseResult.value === root &&
      document.state >= DocumentState.Linked &&
      this.allDocuments.hasDocument(document.uri) &&
      this.allDocuments.getDocument(document.uri) === document
    );
  }

  private providerOf(document: LangiumDocument): NasReferenceDescriptionProvider {
    return this.serviceRegistry.getServices(document.uri).workspace.ReferenceDescriptionProvider as NasReferenceDescriptionProvider;
  }
}

function toDocumentSegment(node: CstNode | undefined): DocumentSegment {
  if (!node) return { offset: 0, end: 0, length: 0, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  return { offset: node.offset, end: node.end, length: node.length, range: node.range };
}
