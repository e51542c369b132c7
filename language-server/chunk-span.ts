/**
 * Where a top-level element lies without building its CST. A chunk that the fast parser stored
 * AST-only builds its CST when a CST node of it is first read (docs/architecture.md, "The fast
 * parser builds no CST until something reads it"); features that ask only about part of the
 * document (inlay hints for the visible range) skip the elements outside it by their chunk's
 * lines first, and code lenses, which need only where an element starts, read it from the
 * chunk's text; so opening a large file does not build every chunk's CST.
 */
import { CstUtils, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { isCstPending, lazyCstOwnerOf } from '../src/core/language/fast-parser.js';

const newlines = new WeakMap<object, { text: string; count: number }>();

/**
 * The 0-based lines within which `element` (a top-level element) lies, from its chunk's text and
 * current first line, if its CST is not built yet; undefined otherwise (then read its CST).
 * The chunk may hold comments around the element, so the lines contain the element's range.
 */
export function pendingLines(element: AstNode): { first: number; last: number } | undefined {
  if (!isCstPending(element)) return undefined;
  const chunk = lazyCstOwnerOf(element);
  if (!chunk) return undefined;
  let known = newlines.get(chunk);
  if (known?.text !== chunk.text) {
    let count = 0;
    for (let i = chunk.text.indexOf('\n'); i >= 0; i = chunk.text.indexOf('\n', i + 1)) count++;
    known = { text: chunk.text, count };
    newlines.set(chunk, known);
  }
  return { first: chunk.line, last: chunk.line + known.count };
}

/**
 * Where `element` (a top-level element) starts, if its CST is not built yet and it is the only
 * top-level node of its chunk: the chunk's first token that is not a comment (a chunk is a
 * top-level element with the comments and blank lines around it; the element's CST node begins
 * at its first token, as Langium's does). Undefined otherwise (then read its CST).
 */
export function pendingStart(element: AstNode): { line: number; character: number } | undefined {
  if (!isCstPending(element)) return undefined;
  const chunk = lazyCstOwnerOf(element);
  if (!chunk) return undefined;
  const { imports, elements } = chunk.root;
  if (imports.length + elements.length !== 1 || elements[0] !== element) return undefined;
  const text = chunk.text;
  let line = chunk.line;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = ++i;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) {
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
      }
    } else {
      return { line, character: i - lineStart };
    }
  }
  return undefined;
}

/** The top-level element whose CST range holds `offset`, building its chunk's CST only (chunks
 * of other elements are skipped by their lines). */
function elementCstAt(document: LangiumDocument, offset: number): CstNode | undefined {
  const root = document.parseResult.value as AstNode & { imports?: readonly AstNode[]; elements?: readonly AstNode[] };
  const line = document.textDocument.positionAt(offset).line;
  for (const list of [root.imports ?? [], root.elements ?? []]) {
    for (const element of list) {
      const lines = pendingLines(element);
      if (lines && (line < lines.first || line > lines.last)) continue;
      const cst = element.$cstNode;
      if (cst && cst.offset <= offset && offset < cst.end) return cst;
    }
  }
  return undefined;
}

/**
 * The CST node at `offset` (as `CstUtils.findLeafNodeAtOffset` on the document's root finds
 * it), building the CST of the one chunk that holds the offset, not every chunk's: the root's
 * children are the top-level elements. Undefined between elements, where only comments are
 * (hidden leaves).
 */
export function leafAtOffset(document: LangiumDocument, offset: number): CstNode | undefined {
  const cst = elementCstAt(document, offset);
  return cst ? CstUtils.findLeafNodeAtOffset(cst, offset) : undefined;
}

/**
 * `CstUtils.findLeafNodeBeforeOffset` on the document's root, building only the chunk that
 * holds the offset when an element does; between elements (where the answer depends on what
 * lies before), the root's search, which builds every chunk's CST.
 */
export function leafBeforeOffset(document: LangiumDocument, offset: number): CstNode | undefined {
  const cst = elementCstAt(document, offset);
  if (cst) return CstUtils.findLeafNodeBeforeOffset(cst, offset);
  const root = document.parseResult.value.$cstNode;
  return root ? CstUtils.findLeafNodeBeforeOffset(root, offset) : undefined;
}
