/**
 * The canonical printer of .nas text (docs/dsl.md, "Canonical form"): two-space indentation,
 * one statement per line, spaces around binary operators, `->` and `=`, none inside brackets.
 * It re-spaces the tokens of the parsed document and keeps everything else: comments (line
 * and block, trailing or on their own line), at most one blank line where the author left
 * some, and the author's line breaks inside an expression (continuation lines are aligned
 * after the innermost open bracket, or indented two levels). Text that does not parse is
 * returned unchanged: a printer must never lose what it does not understand.
 *
 * Pure: it reads the AST/CST and the text and returns the new text; the CLI (`nas fmt`) and
 * the language server both call it.
 */
import { AstUtils, CstUtils, isLeafCstNode, type AstNode, type CstNode } from 'langium';
import type { Document } from '../language/syntax/generated/ast.js';

export interface FormatOptions {
  /** True when the document has lexing or parsing errors: the text is returned unchanged. */
  readonly hasErrors?: boolean;
}

const INDENT = '  ';
const CONTINUATION = INDENT + INDENT;

/** AST types whose first token starts a line. */
const LINE_STARTS = new Set([
  'Import',
  'Definition',
  'Search',
  'Let',
  'InputStmt',
  'OutputStmt',
  'ForStmt',
  'Node',
  'SpaceItem',
  'StrategyItem',
  'ObjectiveItem',
  'ConstraintItem',
  'EvaluatorItem',
  'BudgetItem',
  'SeedItem',
  'FixedGroup',
  'FixedLine',
]);

/** Where `(` follows its callee without a space. */
const CALL_PARENS = new Set(['Call', 'Definition', 'InputStmt', 'StrategyItem', 'EvaluatorItem', 'BudgetItem', 'Fixed']);

interface Token {
  readonly text: string;
  readonly node: AstNode;
  readonly offset: number;
  readonly end: number;
}

interface Comment {
  readonly text: string;
  readonly line: boolean;
  /** Line breaks between the previous token or comment and this one in the input. */
  readonly breaksBefore: number;
}

export function formatDocument(root: Document, text: string, options: FormatOptions = {}): string {
  const cst = root.$cstNode;
  if (options.hasErrors || !cst) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const tokens: Token[] = [];
  for (const n of CstUtils.streamCst(cst)) {
    if (isLeafCstNode(n) && !n.hidden && n.length > 0) tokens.push({ text: n.text, node: n.astNode, offset: n.offset, end: n.end });
  }
  const lineStarts = new Set<number>();
  for (const n of AstUtils.streamAst(root)) {
    if (LINE_STARTS.has(n.$type) && n.$cstNode) lineStarts.add(firstTokenOffset(n.$cstNode));
  }

  const lines: string[] = [];
  let line = '';
  let depth = 0;
  const brackets: number[] = []; // output columns just after each open ( or [
  let prev: Token | undefined;
  let forceBreak = false;
  /** Output lines with a trailing comment, and the length of their code. */
  const trailing = new Map<number, number>();

  const flush = (): void => {
    lines.push(line.trimEnd());
    line = '';
  };
  const newLine = (blank: boolean, indent: string): void => {
    if (line.trim() !== '' || lines.length > 0) flush();
    if (blank && lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
    line = indent;
  };
  const indentNow = (): string => INDENT.repeat(depth);
  const continuationIndent = (): string => (brackets.length > 0 ? ' '.repeat(brackets[brackets.length - 1]!) : indentNow() + CONTINUATION);

  const emitComments = (gap: string): void => {
    for (const c of scanComments(gap)) {
      const atStart = lines.length === 0 && line === '';
      if (c.breaksBefore === 0 && !atStart) {
        if (c.line) trailing.set(lines.length, line.length);
        line += (c.line ? '  ' : ' ') + c.text;
      } else {
        // Before a closing brace the depth is still the body's: the comment stays inside it.
        newLine(c.breaksBefore > 1 && !(prev?.text === '{'), brackets.length > 0 ? continuationIndent() : indentNow());
        line += reindentBlockComment(c.text, line);
      }
      forceBreak = c.line;
    }
  };

  for (const t of tokens) {
    const gap = text.slice(prev ? prev.end : 0, t.offset);
    emitComments(gap);
    const breaks = countBreaks(lastCodeGap(gap));
    if (t.text === '}') {
      depth = Math.max(0, depth - 1);
      if (!(prev?.text === '{' && !forceBreak && line.trimEnd().endsWith('{'))) newLine(false, indentNow());
    } else if (lineStarts.has(t.offset) && prev) {
      newLine(breaks > 1 && prev.text !== '{', indentNow());
    } else if (!prev) {
      if (line.trim() !== '' || lines.length > 0) newLine(breaks > 1, indentNow());
    } else if (forceBreak || breaks > 0) {
      newLine(false, continuationIndent());
    } else if (needsSpace(prev, t)) {
      line += ' ';
    }
    forceBreak = false;
    line += t.text;
    if (t.text === '{') depth++;
    else if (t.text === '(' || t.text === '[') brackets.push(line.length);
    else if ((t.text === ')' || t.text === ']') && brackets.length > 0) brackets.pop();
    prev = t;
  }
  emitComments(text.slice(prev ? prev.end : 0));
  if (line.trim() !== '') flush();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  alignTrailingComments(lines, trailing);
  return lines.length === 0 ? '' : (lines.join('\n') + '\n').replace(/\r?\n/g, eol);
}

/** Trailing comments of consecutive lines start in one column, two spaces after the longest code. */
function alignTrailingComments(lines: string[], trailing: Map<number, number>): void {
  const indices = [...trailing.keys()].sort((a, b) => a - b);
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    const group = indices.slice(i, j + 1);
    const column = Math.max(...group.map((k) => trailing.get(k)!)) + 2;
    for (const k of group) {
      const code = trailing.get(k)!;
      const l = lines[k]!;
      lines[k] = l.slice(0, code) + ' '.repeat(column - code) + l.slice(code).trimStart();
    }
    i = j + 1;
  }
}

function firstTokenOffset(cst: CstNode): number {
  for (const n of CstUtils.streamCst(cst)) {
    if (isLeafCstNode(n) && !n.hidden) return n.offset;
  }
  return cst.offset;
}

function needsSpace(p: Token, t: Token): boolean {
  if (p.text === '(' || p.text === '[' || p.text === '.') return false;
  if (t.text === ')' || t.text === ']' || t.text === ',' || t.text === '.' || t.text === ':') return false;
  if (p.text === '..' || t.text === '..') return false;
  if (t.text === '(' && CALL_PARENS.has(t.node.$type)) return false;
  if (t.text === '[' && t.node.$type === 'Index') return false;
  if (p.text === '-' && (p.node.$type === 'Unary' || p.node.$type === 'FixedAtom')) return false;
  if (p.text === '*' && p.node.$type === 'Param') return false;
  // Call attributes are written `k=3`, as the architecture printer does; search items and
  // definitions keep spaces (`population = 50`, `C: int = 16`, `x = ...`).
  if ((p.text === '=' && isCallArg(p.node)) || (t.text === '=' && isCallArg(t.node))) return false;
  if (t.text === '{' || p.text === '{') return true;
  return true;
}

function isCallArg(node: AstNode): boolean {
  return node.$type === 'Arg' && (node.$container?.$type === 'Call' || node.$container?.$type === 'Fixed');
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The whitespace after the last comment of a gap (or the whole gap without comments). */
function lastCodeGap(gap: string): string {
  const comments = scanCommentSpans(gap);
  return comments.length === 0 ? gap : gap.slice(comments[comments.length - 1]!.end);
}

function scanCommentSpans(gap: string): Array<{ start: number; end: number; line: boolean }> {
  const spans: Array<{ start: number; end: number; line: boolean }> = [];
  let i = 0;
  while (i < gap.length) {
    const c = gap[i];
    if (c === '#') {
      let end = gap.indexOf('\n', i);
      if (end < 0) end = gap.length;
      if (gap[end - 1] === '\r') end--;
      spans.push({ start: i, end, line: true });
      i = end;
    } else if (c === '/' && gap[i + 1] === '*') {
      const close = gap.indexOf('*/', i + 2);
      const end = close < 0 ? gap.length : close + 2;
      spans.push({ start: i, end, line: false });
      i = end;
    } else i++;
  }
  return spans;
}

function scanComments(gap: string): Comment[] {
  let last = 0;
  return scanCommentSpans(gap).map((s) => {
    const c = { text: gap.slice(s.start, s.end).trimEnd(), line: s.line, breaksBefore: countBreaks(gap.slice(last, s.start)) };
    last = s.end;
    return c;
  });
}

/** Re-indents the continuation lines of a block comment: ` * text` under the opening `/`. */
function reindentBlockComment(comment: string, currentLine: string): string {
  if (!comment.includes('\n')) return comment;
  const pad = ' '.repeat(currentLine.length);
  return comment
    .split(/\r?\n/)
    .map((l, i) => {
      if (i === 0) return l.trimEnd();
      const trimmed = l.trim();
      return trimmed.startsWith('*') ? `${pad} ${trimmed}` : `${pad}   ${trimmed}`;
    })
    .join('\n');
}
