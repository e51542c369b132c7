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
import {
  Cancellation,
  DefaultIndexManager,
  DocumentState,
  type AstNode,
  type LangiumDocument,
  type LangiumDocuments,
  type LangiumSharedCoreServices,
  type ReferenceDescription,
  type Stream,
  type URI,
} from 'langium';
import { NasReferenceDescriptionProvider } from './nas-reference-description-provider.js';

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
