/**
 * Import resolution. `import "std/blocks"` names a file of the standard library shipped with
 * the product (a `builtin:` document); any other path is relative to the importing file,
 * with `.nas` appended when missing. An unsaved editor (`untitled:`) has no folder: there an
 * absolute path names a file on disk, and a relative one resolves from the folder an untitled
 * document was opened at (`untitled:/dir/x.nas`, as the search dashboard opens a trial).
 */
import { URI, UriUtils } from 'langium';
import type { Document } from '../syntax/generated/ast.js';

export const BUILTIN_SCHEME = 'builtin';
const UNTITLED_SCHEME = 'untitled';

export function resolveImportUri(from: URI, importPath: string): URI {
  const path = importPath.endsWith('.nas') ? importPath : `${importPath}.nas`;
  if (path.startsWith('std/')) {
    return URI.parse(`${BUILTIN_SCHEME}:/${path}`);
  }
  if (from.scheme === UNTITLED_SCHEME) {
    if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return URI.file(path);
    if (from.path.startsWith('/')) return UriUtils.resolvePath(UriUtils.dirname(URI.file(from.path)), path);
  }
  return UriUtils.resolvePath(UriUtils.dirname(from), path);
}

export function collectImportUris(doc: Document, from: URI): URI[] {
  // A partial AST (syntax error) can have an import without a path.
  return doc.imports.filter((imp) => typeof imp.path === 'string').map((imp) => resolveImportUri(from, imp.path));
}

export function isBuiltinUri(uri: URI): boolean {
  return uri.scheme === BUILTIN_SCHEME;
}
