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
const HASH = 35;
const SLASH = 47;
const STAR = 42;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;

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
    if (c === NL) {
      line++;
      atLineStart = true;
      i++;
    } else if (c === HASH) {
      // A line comment runs to the end of the line (the newline is handled above).
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      // A block comment may span lines: count them, and never split inside it.
      const e = text.indexOf('*/', i + 2);
      const stop = e < 0 ? n : e + 2;
      for (let j = i; j < stop; j++) if (text.charCodeAt(j) === NL) line++;
      i = stop;
    } else if (c === DQUOTE || c === SQUOTE) {
      // Strings end at their quote or, unterminated, at the end of the line (the lexer's rule).
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === BACKSLASH && text.charCodeAt(j + 1) !== NL) j += 2;
        else if (d === c) {
          j++;
          break;
        } else if (d === NL) break;
        else j++;
      }
      i = Math.min(j, n);
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
