/**
 * Workspace services of the server: the built-in documents in every workspace, imported files
 * loaded from disk even when they are not open (and not under a workspace folder), and
 * importers re-checked when a file they import, directly or not, changes.
 */
import {
  Cancellation,
  DefaultDocumentBuilder,
  DefaultWorkspaceManager,
  DocumentState,
  isOperationCancelled,
  URI,
  type BuildOptions,
  type LangiumDocument,
  type LangiumSharedCoreServices,
  type TextDocument,
} from 'langium';
import { DefaultDocumentUpdateHandler } from 'langium/lsp';
import type { CancellationToken, TextDocumentChangeEvent, WorkspaceFolder } from 'vscode-languageserver';
import { BUILTIN_DOCUMENTS } from '../src/core/stdlib/index.js';
import { collectImportUris, resolveImportUri } from '../src/core/language/services/imports.js';
import type { Document } from '../src/core/language/syntax/generated/ast.js';
import { loadImports } from '../src/core/import-loader.js';

export class NasWorkspaceManager extends DefaultWorkspaceManager {
  private readonly factory: LangiumSharedCoreServices['workspace']['LangiumDocumentFactory'];

  constructor(services: LangiumSharedCoreServices) {
    super(services);
    this.factory = services.workspace.LangiumDocumentFactory;
  }

  protected override async loadAdditionalDocuments(folders: WorkspaceFolder[], collector: (document: LangiumDocument) => void): Promise<void> {
    await super.loadAdditionalDocuments(folders, collector);
    for (const builtin of BUILTIN_DOCUMENTS) {
      collector(this.factory.fromString(builtin.text, URI.parse(builtin.uri)));
    }
  }
}

export class NasDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
  /** A closed document that no longer has services (an untitled one) is taken out at once (see `NasDocumentBuilder.update`). */
  didCloseDocument(event: TextDocumentChangeEvent<TextDocument>): void {
    const uri = URI.parse(event.document.uri);
    if (!this.serviceRegistry.hasServices(uri)) this.fireDocumentUpdate([uri], []);
  }
}

// `import "path"` at the start of a line; used before a document is parsed.
const IMPORT_LINE = /^[ \t]*import[ \t]+("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/gm;

export class NasDocumentBuilder extends DefaultDocumentBuilder {
  /** Import URIs of a document: from its AST when parsed, else from its text. */
  importsOf(doc: LangiumDocument): URI[] {
    try {
      if (doc.state >= DocumentState.Parsed && doc.parseResult.value.$type === 'Document') {
        return collectImportUris(doc.parseResult.value as Document, doc.uri);
      }
      const text = this.textDocuments?.get(doc.uri.toString())?.getText() ?? doc.textDocument.getText();
      return [...text.matchAll(IMPORT_LINE)].map((m) => resolveImportUri(doc.uri, m[1]!.slice(1, -1)));
    } catch {
      return []; // a placeholder document without text yet
    }
  }

  /**
   * Every document in the workspace must have this server's services. Langium looks them up by
   * the document's language id while it is open, else by its file extension; an untitled
   * document (no extension) has them only while it is open as a `.nas` document. Once closed,
   * or reopened under another language id, every later update threw on it (relinking asks its
   * services), and no document got diagnostics again. Such documents leave the workspace, and
   * their diagnostics are cleared, before the rest of the update runs.
   */
  override async update(changed: URI[], deleted: URI[], cancelToken: CancellationToken = Cancellation.CancellationToken.None): Promise<void> {
    const candidates = [...changed.filter((uri) => this.isDocument(uri)), ...this.langiumDocuments.all.map((d) => d.uri)];
    const unserved = [...new Map(candidates.filter((uri) => !this.serviceRegistry.hasServices(uri)).map((uri) => [uri.toString(), uri])).values()];
    if (unserved.length === 0) return super.update(changed, deleted, cancelToken);
    for (const uri of unserved) this.deleteExactly(uri);
    await this.emitUpdate([], unserved);
    const gone = new Set(unserved.map((uri) => uri.toString()));
    return super.update(
      changed.filter((uri) => !gone.has(uri.toString())),
      deleted,
      cancelToken,
    );
  }

  /**
   * Takes the document at `uri` out of the workspace, and only it: Langium keeps documents in a
   * trie of URI paths and deletes a document with its whole subtree, so deleting `file:///`
   * (a folder opened as a document) took every document with it, the built-in ones included.
   */
  private deleteExactly(uri: URI): void {
    const key = uri.toString();
    const prefix = key.endsWith('/') ? key : `${key}/`;
    const under = this.langiumDocuments.all.filter((d) => d.uri.toString().startsWith(prefix)).toArray();
    const doc = this.langiumDocuments.deleteDocument(uri);
    for (const d of under) if (!this.langiumDocuments.hasDocument(d.uri)) this.langiumDocuments.addDocument(d);
    if (doc) this.cleanUpDeleted(doc);
  }

  /** A URI that names a document (known or open), not a folder whose files changed. */
  private isDocument(uri: URI): boolean {
    return this.langiumDocuments.hasDocument(uri) || this.textDocuments?.get(uri.toString()) !== undefined;
  }

  private readonly failureListeners: Array<(uri: URI, error: unknown) => void> = [];

  /** Called with each document taken out of the workspace because checking it failed. */
  onDocumentFailed(listener: (uri: URI, error: unknown) => void): void {
    this.failureListeners.push(listener);
  }

  protected override async buildDocuments(documents: LangiumDocument[], options: BuildOptions, cancelToken: CancellationToken): Promise<void> {
    // The files the documents import, transitively, loading those not yet known from disk.
    const imports = await loadImports(documents, { LangiumDocuments: this.langiumDocuments, FileSystemProvider: this.fileSystemProvider }, (doc) =>
      this.importsOf(doc),
    );
    const all = [...documents, ...imports.filter((d) => d.state < DocumentState.Validated)];
    try {
      await super.buildDocuments(all, options, cancelToken);
    } catch (e) {
      if (isOperationCancelled(e)) throw e;
      await this.isolateFailure(all, options, cancelToken);
    }
  }

  /**
   * A build failed (a bug somewhere): the documents are built again one by one, and each one
   * that fails alone is taken out of the workspace and reported, so that it cannot fail every
   * later build (the next change of it brings it back).
   */
  private async isolateFailure(documents: LangiumDocument[], options: BuildOptions, cancelToken: CancellationToken): Promise<void> {
    for (const doc of documents) {
      if (doc.state >= DocumentState.Validated || !this.langiumDocuments.hasDocument(doc.uri)) continue;
      try {
        await super.buildDocuments([doc], options, cancelToken);
      } catch (e) {
        if (isOperationCancelled(e)) throw e;
        this.deleteExactly(doc.uri);
        for (const listener of this.failureListeners) listener(doc.uri, e);
      }
    }
  }

  protected override shouldRelink(document: LangiumDocument, changedUris: Set<string>): boolean {
    return super.shouldRelink(document, changedUris) || this.importsAnyOf(document, changedUris);
  }

  /** True when the document imports one of the URIs, directly or through other imports. */
  private importsAnyOf(document: LangiumDocument, uris: Set<string>): boolean {
    const seen = new Set<string>([document.uri.toString()]);
    const queue = [document];
    while (queue.length > 0) {
      for (const uri of this.importsOf(queue.pop()!)) {
        const key = uri.toString();
        if (uris.has(key)) return true;
        if (seen.has(key)) continue;
        seen.add(key);
        const next = this.langiumDocuments.getDocument(uri);
        if (next) queue.push(next);
      }
    }
    return false;
  }
}
