/**
 * Import resolution. `import "std/blocks"` names a file of the standard library shipped with
 * the product (a `builtin:` document); any other path is relative to the importing file,
 * with `.nas` appended when missing.
 */
import { URI, UriUtils } from 'langium';
import type { Document } from '../syntax/generated/ast.js';

export const BUILTIN_SCHEME = 'builtin';

export function resolveImportUri(from: URI, importPath: string): URI {
  const path = importPath.endsWith('.nas') ? importPath : `${importPath}.nas`;
  if (path.startsWith('std/')) {
    return URI.parse(`${BUILTIN_SCHEME}:/${path}`);
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
