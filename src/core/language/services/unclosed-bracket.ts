/**
 * Where a bracket that a syntax error expects to be closed was opened. The parser reports an
 * unclosed `(` at the token where it gave up, often the next line's first one (`expected ')',
 * found 'fc'`); the place to fix is the opening bracket, which this finds by matching brackets
 * in the text before the error, skipping strings and comments (the grammar's terminals,
 * syntax/nas.langium). A bracket closed later in the text is not blamed: the error is elsewhere.
 */

const OPENING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** An opening bracket and its offset. */
export interface Bracket {
  readonly ch: string;
  readonly at: number;
}

/**
 * The opening brackets of `text` that are never closed, in text order. A closing bracket
 * closes the innermost opening of its kind; openings of other kinds inside it are left
 * unclosed, as the parser leaves them. A stray closing bracket closes nothing.
 */
export function unclosedBrackets(text: string): Bracket[] {
  const open: Bracket[] = [];
  const unclosed: Bracket[] = [];
  const end = text.length;
  for (let i = 0; i < end; i++) {
    const c = text[i]!;
    if (c === '#') {
      while (i < end && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? end : close + 1;
    } else if (c === '"' || c === "'") {
      for (i++; i < end && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') {
      open.push({ ch: c, at: i });
    } else if (c === ')' || c === ']' || c === '}') {
      const match = OPENING[c]!;
      let k = open.length - 1;
      while (k >= 0 && open[k]!.ch !== match) k--;
      if (k >= 0) {
        unclosed.push(...open.slice(k + 1));
        open.length = k;
      }
    }
  }
  unclosed.push(...open);
  return unclosed.sort((a, b) => a.at - b.at);
}

/** The innermost never-closed opening of `closing` before `offset` (see `unclosedBrackets`). */
export function unclosedBefore(unclosed: readonly Bracket[], offset: number, closing: string): Bracket | undefined {
  const wanted = OPENING[closing];
  for (let k = unclosed.length - 1; k >= 0; k--) if (unclosed[k]!.at < offset && unclosed[k]!.ch === wanted) return unclosed[k];
  return undefined;
}
