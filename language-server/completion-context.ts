/**
 * Where the cursor is, for completion, read from the tokens of the top-level element before
 * it: inside which call's parentheses and at which argument, after which keyword of a
 * `search` block, or after `name =` at the start of a statement. Tokens rather than the AST,
 * because what is being typed rarely parses: `conv(8, ` has no closing parenthesis and
 * `strategy ` no name yet.
 */
import type { Lexer } from 'langium';
import { splitTopLevelChunks } from '../src/core/language/syntax/chunks.js';

/** A token of Langium's lexer (Chevrotain's `IToken`). */
export type Token = ReturnType<Lexer['tokenize']>['tokens'][number];

/** An open `(` or `[` before the cursor. */
export interface OpenBracket {
  readonly bracket: '(' | '[';
  /** The name just before a `(`: the callee of a call, or `strategy`'s name. */
  readonly callee?: Token;
  /** The token before the callee (`strategy`, `evaluator`, `budget` in a search block). */
  readonly beforeCallee?: Token;
  /** Arguments before the cursor's, and the names of those given by name. */
  readonly index: number;
  readonly named: ReadonlySet<string>;
  /** `k` when the cursor's argument starts with `k =`. */
  readonly currentName?: string;
}

export interface CursorContext {
  /** Offset of the top-level element in the text: token offsets are relative to it. */
  readonly base: number;
  /** Offset where the word under construction starts (the cursor when there is none). */
  readonly wordStart: number;
  /** The top-level element's first keyword (`network`, `search`, ...). */
  readonly element?: string;
  /** Open brackets, innermost last. */
  readonly open: readonly OpenBracket[];
  /** The tokens before the word, on the current bracket level, most recent last (at most 3). */
  readonly previous: readonly Token[];
  /** True when the word is written inside a string (`proxy = "ma`). */
  readonly inString: boolean;
  /** The cursor follows `name =` that starts a statement (the value of a named node). */
  readonly nodeValue: boolean;
}

const WORD = /[_a-zA-Z]\w*$/;

export function cursorContext(lexer: Lexer, text: string, offset: number): CursorContext {
  const before = text.slice(0, offset);
  const chunks = splitTopLevelChunks(before);
  const start = chunks.length > 0 ? chunks[chunks.length - 1]!.start : 0;
  const word = WORD.exec(before);
  const wordStart = word ? offset - word[0].length : offset;
  const inString = /"[^"\n]*$/.test(before.slice(0, wordStart)) && (before.slice(start, wordStart).match(/"/g)?.length ?? 0) % 2 === 1;
  const head = before.slice(start, inString ? before.lastIndexOf('"', wordStart - 1) : wordStart);
  const tokens = lexer.tokenize(head).tokens;
  const element = tokens[0]?.image;

  interface Frame {
    bracket: '(' | '[';
    callee?: Token;
    beforeCallee?: Token;
    index: number;
    named: Set<string>;
    currentName?: string;
    argStart: number;
  }
  const stack: Frame[] = [];
  // The token index where the current bracket level's run of tokens starts.
  let levelStart = 0;
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const top = stack[stack.length - 1];
    if (t.image === '(' || t.image === '[') {
      const prev = tokens[i - 1];
      // A name (or `budget`) right before `(` is a callee; `(` after anything else groups.
      const isName = prev !== undefined && /^[_a-zA-Z]\w*$/.test(prev.image);
      stack.push({
        bracket: t.image,
        callee: t.image === '(' && isName ? prev : undefined,
        beforeCallee: t.image === '(' && isName ? tokens[i - 2] : undefined,
        index: 0,
        named: new Set(),
        argStart: i + 1,
      });
      starts.push(levelStart);
      levelStart = i + 1;
    } else if ((t.image === ')' || t.image === ']') && stack.length > 0) {
      stack.pop();
      levelStart = starts.pop() ?? 0;
    } else if (t.image === ',' && top) {
      top.index++;
      top.currentName = undefined;
      top.argStart = i + 1;
      levelStart = i + 1;
    } else if (t.image === '=' && top && i - 1 === top.argStart) {
      const name = tokens[i - 1]!.image;
      top.named.add(name);
      top.currentName = name;
    }
  }
  const previous = tokens.slice(Math.max(levelStart, tokens.length - 3));
  const last = tokens[tokens.length - 1];
  const nameTok = tokens[tokens.length - 2];
  // `x = ` at the start of a line, outside brackets: the value of a named node.
  const nodeValue =
    stack.length === 0 &&
    last?.image === '=' &&
    nameTok !== undefined &&
    /^[ \t]*$/.test(head.slice(head.lastIndexOf('\n', nameTok.startOffset - 1) + 1, nameTok.startOffset)) &&
    element !== 'search' &&
    element !== 'let';
  return {
    base: start,
    wordStart,
    element,
    open: stack.map(({ argStart: _argStart, ...f }) => f),
    previous,
    inString,
    nodeValue,
  };
}

/**
 * The text Langium's completion parser is given for `prefix` (the text before the cursor): its
 * parser does not take `x = ` at the start of a statement as the optional name of a node and
 * offers nothing there, while after `let x = ` it offers what starts an expression, which is
 * exactly what may follow. So a trailing `x = ` that starts a line, outside brackets, is read
 * as `let x = `.
 */
export function completionPrefix(lexer: Lexer, prefix: string): string {
  const m = /(^|\n)([ \t]*)([_a-zA-Z]\w*)[ \t]*=[ \t]*$/.exec(prefix);
  if (!m || m[3] === 'let') return prefix;
  const nameStart = m.index + m[1]!.length + m[2]!.length;
  const tokens = lexer.tokenize(prefix.slice(0, nameStart)).tokens;
  let depth = 0;
  for (const t of tokens) {
    if (t.image === '(' || t.image === '[') depth++;
    else if ((t.image === ')' || t.image === ']') && depth > 0) depth--;
  }
  if (depth > 0 || tokens[0]?.image === 'search') return prefix;
  return `${prefix.slice(0, nameStart)}let ${prefix.slice(nameStart)}`;
}
