/** Document formatting with the canonical printer (src/core/format/formatter.ts). */
import type { LangiumDocument } from 'langium';
import type { Formatter } from 'langium/lsp';
import type { DocumentFormattingParams, DocumentOnTypeFormattingOptions, TextEdit } from 'vscode-languageserver';
import { formatDocument } from '../src/core/format/formatter.js';
import type { Document } from '../src/core/language/syntax/generated/ast.js';

export class NasFormatter implements Formatter {
  formatDocument(document: LangiumDocument, _params: DocumentFormattingParams): TextEdit[] {
    const text = document.textDocument.getText();
    // The canonical form fixes its indentation (two spaces), whatever the editor's options.
    const formatted = formatDocument(document.parseResult.value as Document, text, {
      hasErrors: document.parseResult.lexerErrors.length > 0 || document.parseResult.parserErrors.length > 0,
    });
    if (formatted === text) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: document.textDocument.positionAt(text.length) }, newText: formatted }];
  }

  /** The canonical form is a property of the whole file; ranges are not formatted apart. */
  formatDocumentRange(): TextEdit[] {
    return [];
  }

  formatDocumentOnType(): TextEdit[] {
    return [];
  }

  get formatOnTypeOptions(): DocumentOnTypeFormattingOptions | undefined {
    return undefined;
  }
}
