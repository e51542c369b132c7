/**
 * The one loader of imported files, used by the headless workspace (CLI, tests, benchmarks)
 * and the language server: the documents that some documents import, directly or not, with
 * those not known yet read through the workspace's file system provider.
 */
import type { LangiumDocument, LangiumSharedCoreServices, URI } from 'langium';
import type { Document } from './language/syntax/generated/ast.js';
import { collectImportUris } from './language/services/imports.js';

/** A document's import URIs, from its AST (the server also reads them from unparsed text). */
export type ImportsOf = (doc: LangiumDocument) => URI[];

/** Where documents are found and files read: a workspace's services (or a document builder's). */
export type ImportSources = Pick<LangiumSharedCoreServices['workspace'], 'LangiumDocuments' | 'FileSystemProvider'>;

export const importsFromAst: ImportsOf = (doc) => collectImportUris(doc.parseResult.value as Document, doc.uri);

/**
 * Every document that `documents` import, directly or not, in the order found, each once and
 * none of `documents` themselves. Unknown `file:` imports are loaded; a file that does not
 * exist or cannot be read is left out (the validator reports the import at its position), and
 * other schemes are never loaded (the built-in documents are added when a workspace starts).
 */
export async function loadImports(
  documents: readonly LangiumDocument[],
  workspace: ImportSources,
  importsOf: ImportsOf = importsFromAst,
): Promise<LangiumDocument[]> {
  const out: LangiumDocument[] = [];
  const seen = new Set(documents.map((d) => d.uri.toString()));
  const queue = [...documents];
  while (queue.length > 0) {
    const doc = queue.pop()!;
    for (const uri of importsOf(doc)) {
      const key = uri.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      let imported = workspace.LangiumDocuments.getDocument(uri);
      if (!imported) {
        if (uri.scheme !== 'file') continue;
        try {
          if (!(await workspace.FileSystemProvider.exists(uri))) continue;
          imported = await workspace.LangiumDocuments.getOrCreateDocument(uri);
        } catch {
          continue;
        }
      }
      out.push(imported);
      queue.push(imported);
    }
  }
  return out;
}
