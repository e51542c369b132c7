/**
 * Splits a .nas text into top-level chunks, the unit of incremental re-parsing
 * (docs/architecture.md, "Incremental checking"). A chunk starts at a line that begins, in
 * column 0, with a keyword that starts a top-level element while no bracket is open; the
 * text before the first such line belongs to the first chunk. The rule is conservative: once
 * brackets go unbalanced (more closing than opening), nothing after that point is split, so
 * a chunked parse sees exactly the token runs a whole-file parse would group into elements.
 */

export interface TextChunk {
  /** Offset of the chunk's first character in the text. */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
  /** 0-based line of `start` (always the start of a line). */
  readonly line: number;
}

const TOP_LEVEL_KEYWORDS = ['import', 'let', 'op', 'fn', 'block', 'cell', 'network', 'space', 'search'];
const FIRST_CHARS = new Set(TOP_LEVEL_KEYWORDS.map((k) => k.charCodeAt(0)));

const NL = 10;
const CR = 13;
const HASH = 35;
const SLASH = 47;
const STAR = 42;
const DQUOTE = 34;
const SQUOTE = 39;
/** The grammar's STRING terminal, one alternative each, anchored. */
const DOUBLE_QUOTED = /"(\\.|[^"\\\n])*"/y;
const SINGLE_QUOTED = /'(\\.|[^'\\\n])*'/y;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function startsTopLevelElement(text: string, at: number): boolean {
  if (!FIRST_CHARS.has(text.charCodeAt(at))) return false;
  for (const k of TOP_LEVEL_KEYWORDS) {
    if (text.startsWith(k, at) && !isWordChar(text.charCodeAt(at + k.length))) return true;
  }
  return false;
}

export function splitTopLevelChunks(text: string): TextChunk[] {
  const chunks: TextChunk[] = [];
  let chunkStart = 0;
  let chunkLine = 0;
  let line = 0;
  let depth = 0;
  let unbalanced = false;
  const n = text.length;
  let i = 0;
  let atLineStart = true;
  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      if (depth === 0 && !unbalanced && i > chunkStart && startsTopLevelElement(text, i)) {
        chunks.push({ start: chunkStart, end: i, line: chunkLine });
        chunkStart = i;
        chunkLine = line;
      }
    }
    const c = text.charCodeAt(i);
    if (c === NL || c === CR) {
      // Line breaks as the lexer counts them: \n, \r\n or a lone \r.
      line++;
      atLineStart = true;
      i += c === CR && text.charCodeAt(i + 1) === NL ? 2 : 1;
    } else if (c === HASH) {
      // A line comment runs to the end of the line (the line break is handled above).
      let e = i + 1;
      while (e < n && text.charCodeAt(e) !== NL && text.charCodeAt(e) !== CR) e++;
      i = e;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      // A block comment may span lines: count them as the lexer does, and never split inside
      // it. Unterminated, it is no comment: the lexer drops the '/' and goes on.
      const e = text.indexOf('*/', i + 2);
      if (e < 0) {
        i++;
        continue;
      }
      for (let j = i; j < e; j++) {
        const d = text.charCodeAt(j);
        if (d === NL || (d === CR && text.charCodeAt(j + 1) !== NL)) line++;
      }
      i = e + 2;
    } else if (c === DQUOTE || c === SQUOTE) {
      // A string is what the lexer's STRING rule matches (no line break inside; a carriage
      // return inside does not count as one); an unmatched quote is dropped by the lexer.
      const re = c === DQUOTE ? DOUBLE_QUOTED : SINGLE_QUOTED;
      re.lastIndex = i;
      i = re.test(text) ? re.lastIndex : i + 1;
    } else {
      if (c === 123 || c === 40 || c === 91) depth++;
      else if (c === 125 || c === 41 || c === 93) {
        depth--;
        if (depth < 0) unbalanced = true;
      }
      i++;
    }
  }
  chunks.push({ start: chunkStart, end: n, line: chunkLine });
  return chunks;
}
