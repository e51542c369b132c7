/**
 * Checks of an `import`, at the import: the file exists and was read (a FIFO, a device or a
 * file over the size limit is not, core/source-files.ts), it does not lead back to the
 * importing file through other imports, and it parses without syntax errors (its definitions
 * would otherwise be partial, and names would go missing without a word about why).
 */
import { AstUtils, type LangiumDocument, type LangiumDocuments, type URI, type ValidationAcceptor } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { collectImportUris, resolveImportUri } from '../language/services/imports.js';
import { refusalOf } from '../source-files.js';

function shownPath(uri: URI): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/**
 * The chain of imports from `from` back to `target` (file paths, `from` first), if the
 * documents known import their way back; each document is visited once.
 */
function cycleBack(from: LangiumDocument, target: string, documents: LangiumDocuments): URI[] | undefined {
  const parent = new Map<string, LangiumDocument | undefined>([[from.uri.toString(), undefined]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const doc = queue[i]!;
    const root = doc.parseResult?.value as ast.Document | undefined;
    if (root?.$type !== 'Document') continue;
    for (const uri of collectImportUris(root, doc.uri)) {
      const key = uri.toString();
      if (key === target) {
        const chain: URI[] = [];
        for (let d: LangiumDocument | undefined = doc; d; d = parent.get(d.uri.toString())) chain.unshift(d.uri);
        return chain;
      }
      if (parent.has(key)) continue;
      const next = documents.getDocument(uri);
      if (!next) continue;
      parent.set(key, doc);
      queue.push(next);
    }
  }
  return undefined;
}

function syntaxErrorsOf(doc: LangiumDocument): { count: number; first?: { line: number; column: number } } {
  const { parserErrors, lexerErrors } = doc.parseResult;
  const count = parserErrors.length + lexerErrors.length;
  if (count === 0) return { count };
  const offsets = [...parserErrors.map((e) => e.token.startOffset), ...lexerErrors.map((e) => e.offset)].filter((o) => Number.isFinite(o));
  if (offsets.length === 0) return { count };
  const p = doc.textDocument.positionAt(Math.min(...offsets));
  return { count, first: { line: p.line + 1, column: p.character + 1 } };
}

export function checkImportTarget(imp: ast.Import, accept: ValidationAcceptor, documents: LangiumDocuments): void {
  if (typeof imp.path !== 'string') return; // the parser reported it
  const doc = AstUtils.getDocument(imp);
  const uri = resolveImportUri(doc.uri, imp.path);
  const self = doc.uri.toString();
  if (uri.toString() === self) {
    accept('error', 'a file cannot import itself', { node: imp, property: 'path', code: 'import-cycle' });
    return;
  }
  const imported = documents.getDocument(uri);
  if (!imported) {
    const refused = refusalOf(uri);
    if (refused) {
      accept('error', `cannot import "${imp.path}": ${shownPath(uri)} ${refused}`, { node: imp, property: 'path', code: 'import-unreadable' });
    } else {
      accept('error', `cannot find imported file "${imp.path}" (looked for ${shownPath(uri)})`, { node: imp, property: 'path', code: 'import-not-found' });
    }
    return;
  }
  const cycle = cycleBack(imported, self, documents);
  if (cycle) {
    const names = [doc.uri, ...cycle, doc.uri].map((u) => u.path.split('/').pop()).join(' → ');
    accept('error', `import cycle: ${names}; files may not import each other (move what both need into a third file)`, {
      node: imp,
      property: 'path',
      code: 'import-cycle',
    });
  }
  const syntax = syntaxErrorsOf(imported);
  if (syntax.count > 0) {
    const where = syntax.first ? ` (the first at line ${syntax.first.line}, column ${syntax.first.column})` : '';
    accept('error', `imported file "${imp.path}" has ${syntax.count} syntax error${syntax.count === 1 ? '' : 's'}${where}: what it defines may be incomplete`, {
      node: imp,
      property: 'path',
      code: 'import-has-errors',
    });
  }
}
