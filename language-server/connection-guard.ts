/**
 * Diagnostics leave the server through one place, which keeps them sane whatever produced them:
 * nothing for the built-in documents, ranges clamped to the document (a diagnostic outside
 * it is a bug somewhere, and some clients reject it), and at most MAX_DIAGNOSTICS per file so
 * a megabyte of garbage does not flood the editor.
 */
import { URI, type LangiumSharedCoreServices } from 'langium';
import type { Connection, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { isBuiltinUri } from '../src/core/language/services/imports.js';

export const MAX_DIAGNOSTICS = 500;

export function guardConnection(connection: Connection, shared: LangiumSharedCoreServices): void {
  const send = connection.sendDiagnostics.bind(connection);
  connection.sendDiagnostics = async (params: PublishDiagnosticsParams): Promise<void> => {
    const uri = URI.parse(params.uri);
    if (isBuiltinUri(uri)) return;
    const text = shared.workspace.LangiumDocuments.getDocument(uri)?.textDocument;
    let diagnostics = params.diagnostics;
    if (text) {
      const clamp = (p: Diagnostic['range']['start']) => text.positionAt(text.offsetAt(p));
      diagnostics = diagnostics.map((d) => ({ ...d, range: { start: clamp(d.range.start), end: clamp(d.range.end) } }));
    }
    if (diagnostics.length > MAX_DIAGNOSTICS) {
      const dropped = diagnostics.length - MAX_DIAGNOSTICS;
      diagnostics = diagnostics.slice(0, MAX_DIAGNOSTICS);
      diagnostics.push({ ...diagnostics[MAX_DIAGNOSTICS - 1]!, severity: 3, code: 'too-many-diagnostics', message: `${dropped} more diagnostics not shown` });
    }
    return send({ ...params, diagnostics });
  };
}
