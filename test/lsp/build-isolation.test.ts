/**
 * A build that throws (a bug anywhere in parsing, indexing, linking or checking one document)
 * must not fail every later build of the workspace: the server's document builder retries the
 * documents one by one, checks every one that builds alone, and takes out and reports the one
 * that fails. The fault is injected into the index manager for one document.
 */
import { URI, DocumentState } from 'langium';
import { describe, expect, it } from 'vitest';
import { startLspServices } from '../helpers/lsp-services.js';
import type { NasDocumentBuilder } from '../../language-server/workspace.js';

describe('a failure while building one document is contained to it', () => {
  it('the other documents are checked, the failing one is taken out and reported, later builds work', async () => {
    const { shared } = await startLspServices();
    const documents = shared.workspace.LangiumDocuments;
    const builder = shared.workspace.DocumentBuilder as NasDocumentBuilder;
    const failed: string[] = [];
    builder.onDocumentFailed((uri, e) => failed.push(`${uri.path}: ${(e as Error).message}`));
    const index = shared.workspace.IndexManager;
    const updateContent = index.updateContent.bind(index);
    index.updateContent = async (doc, token) => {
      if (doc.uri.path.endsWith('/bad.nas')) throw new Error('injected fault');
      return updateContent(doc, token);
    };
    const make = (name: string, text: string) => {
      const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(`/virtual/${name}`));
      documents.addDocument(doc);
      return doc;
    };
    const good = make('good.nas', 'network N {\n  input(3, 8, 8)\n  rleu\n}\n');
    const bad = make('bad.nas', 'network M {\n  input(3, 8, 8)\n  relu\n}\n');
    await builder.build([bad, good], { validation: true });
    expect(good.state).toBe(DocumentState.Validated);
    expect(good.diagnostics?.map((d) => d.code)).toEqual(['unknown-name']);
    expect(documents.hasDocument(bad.uri)).toBe(false);
    expect(failed).toEqual(['/virtual/bad.nas: injected fault']);
    // The next build, of another document, is not failed by the one taken out.
    const next = make('next.nas', 'network K {\n  input(3, 8, 8)\n  bnn\n}\n');
    await builder.build([next], { validation: true });
    expect(next.diagnostics?.map((d) => d.code)).toEqual(['unknown-name']);
    expect(failed).toHaveLength(1);
  });
});
