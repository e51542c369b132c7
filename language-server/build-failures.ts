/**
 * A document whose check failed with an exception (a bug) is taken out of the workspace by
 * the document builder (workspace.ts); this says so where the user looks, as one diagnostic at
 * the start of the file, and logs the stack for the report.
 */
import { DiagnosticSeverity, type Connection } from 'vscode-languageserver';
import type { LangiumSharedServices } from 'langium/lsp';
import type { NasDocumentBuilder } from './workspace.js';

export function publishFailures(connection: Connection, shared: LangiumSharedServices): void {
  (shared.workspace.DocumentBuilder as NasDocumentBuilder).onDocumentFailed((uri, error) => {
    const message = error instanceof Error ? error.message : String(error);
    connection.console.error(`checking ${uri.toString()} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    const start = { line: 0, character: 0 };
    void connection.sendDiagnostics({
      uri: uri.toString(),
      diagnostics: [
        {
          range: { start, end: start },
          severity: DiagnosticSeverity.Error,
          code: 'internal-error',
          source: 'nas',
          message: `internal error while checking this file: ${message} (please report this with the file; other files are still checked)`,
        },
      ],
    });
  });
}
