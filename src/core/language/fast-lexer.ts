/**
 * A hand-written lexer for .nas text that finds exactly the tokens, positions and lexer errors
 * of Langium's Chevrotain lexer for the grammar (src/core/language/nas.langium), several times
 * faster: it scans char codes and writes tokens into reusable typed arrays instead of making a
 * token object per token. It serves the fast parser (fast-parser.ts), which falls back to
 * Langium's parser wherever this lexer reports an error.
 *
 * How Chevrotain tokenizes with the vocabulary Langium builds (langium/lib/parser/token-builder.js),
 * and so what this file reproduces:
 * - keywords come first, longest first, and win over terminals; every keyword that could be the
 *   start of an identifier has ID as its `LONGER_ALT`, so a word is a keyword only when the whole
 *   word is one (`in` vs `input` vs `inputs`); '/' has ML_COMMENT as longer alternative, so `/*`
 *   starts a block comment only when a `*\/` closes it (else it is the '/' keyword);
 * - then the terminals in grammar order: WS (skipped), ID, NUMBER, STRING, ML_COMMENT and
 *   SL_COMMENT (both hidden): the first that matches wins, not the longest;
 * - lines advance only inside tokens whose pattern can match a line break (WS and ML_COMMENT:
 *   Chevrotain's analysis of STRING's `[^"\\\n]` says no, so a lone '\r' inside a string does
 *   not start a line), at '\n', '\r\n' and a lone '\r'; a column is counted from the last line
 *   break's last character.
 */

export const T_EOF = 0;
export const T_ID = 1;
export const T_NUMBER = 2;
export const T_STRING = 3;
export const T_ML_COMMENT = 4;
export const T_SL_COMMENT = 5;
/** Kind of KEYWORDS[i] is KW_BASE + i. */
export const KW_BASE = 6;

/** Every keyword of the grammar (checked against Langium's vocabulary by the fast parser). */
export const KEYWORDS = [
  'import',
  'op',
  'fn',
  'block',
  'cell',
  'network',
  'space',
  'int',
  'float',
  'bool',
  'string',
  'tensor',
  'layer',
  'list',
  'any',
  'let',
  'input',
  'output',
  'for',
  'in',
  'search',
  'strategy',
  'maximize',
  'minimize',
  'constraint',
  'evaluator',
  'budget',
  'seed',
  'true',
  'false',
  'if',
  'then',
  'else',
  'not',
  'and',
  'or',
  'step',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '=',
  '*',
  '/',
  '//',
  '%',
  '+',
  '-',
  '..',
  '.',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '->',
] as const;

export type Keyword = (typeof KEYWORDS)[number];

/** The token kind of a keyword. */
export function kw(k: Keyword): number {
  return KW_BASE + KEYWORDS.indexOf(k);
}

/** Names of the token kinds, as Langium names its token types. */
export const KIND_NAMES: readonly string[] = ['EOF', 'ID', 'NUMBER', 'STRING', 'ML_COMMENT', 'SL_COMMENT', ...KEYWORDS];

const K_LPAREN = kw('(');
const K_RPAREN = kw(')');
const K_LBRACE = kw('{');
const K_RBRACE = kw('}');
const K_LBRACKET = kw('[');
const K_RBRACKET = kw(']');
const K_COMMA = kw(',');
const K_COLON = kw(':');
const K_EQ = kw('=');
const K_EQEQ = kw('==');
const K_STAR = kw('*');
const K_SLASH = kw('/');
const K_SLASHSLASH = kw('//');
const K_PERCENT = kw('%');
const K_PLUS = kw('+');
const K_MINUS = kw('-');
const K_ARROW = kw('->');
const K_DOT = kw('.');
const K_DOTDOT = kw('..');
const K_NE = kw('!=');
const K_LT = kw('<');
const K_LE = kw('<=');
const K_GT = kw('>');
const K_GE = kw('>=');

/** Word keywords by first char code: [text, kind] pairs. */
const WORDS_BY_FIRST: Array<Array<[string, number]> | undefined> = [];
for (let i = 0; i < KEYWORDS.length; i++) {
  const k = KEYWORDS[i]!;
  const c = k.charCodeAt(0);
  if (!isIdStart(c)) continue;
  (WORDS_BY_FIRST[c] ??= []).push([k, KW_BASE + i]);
}

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** `\w`: [A-Za-z0-9_]. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** JavaScript's `\s` beyond ASCII (ASCII whitespace is handled inline). */
function isUnicodeSpace(c: number): boolean {
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * Tokens of one text, in parallel arrays (kept between texts to allocate nothing per token).
 * Lines and columns are 1-based, as Chevrotain's. Non-hidden tokens never span lines (no such
 * terminal matches a line break), so they need no end line; comments keep theirs.
 */
export class TokenBuffer {
  kinds = new Uint8Array(0);
  starts = new Int32Array(0);
  ends = new Int32Array(0);
  lines = new Int32Array(0);
  cols = new Int32Array(0);
  /** Tokens before the EOF token at index `count`. */
  count = 0;
  hKinds = new Uint8Array(0);
  hStarts = new Int32Array(0);
  hEnds = new Int32Array(0);
  hLines = new Int32Array(0);
  hCols = new Int32Array(0);
  hEndLines = new Int32Array(0);
  hEndCols = new Int32Array(0);
  hCount = 0;

  /** Room for every token of a text of `length` chars (a token is at least one char). */
  reserve(length: number): void {
    const need = length + 2;
    if (this.kinds.length < need) {
      this.kinds = new Uint8Array(need);
      this.starts = new Int32Array(need);
      this.ends = new Int32Array(need);
      this.lines = new Int32Array(need);
      this.cols = new Int32Array(need);
    }
    const hNeed = (length >> 1) + 2;
    if (this.hKinds.length < hNeed) {
      this.hKinds = new Uint8Array(hNeed);
      this.hStarts = new Int32Array(hNeed);
      this.hEnds = new Int32Array(hNeed);
      this.hLines = new Int32Array(hNeed);
      this.hCols = new Int32Array(hNeed);
      this.hEndLines = new Int32Array(hNeed);
      this.hEndCols = new Int32Array(hNeed);
    }
  }
}

/**
 * The end of the NUMBER match at `i` (a digit), or -1. The terminal is
 * /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?[kMGT]?(?![\w])/: a shorter digit run than the longest
 * is always followed by a digit, which fails the lookahead, so backtracking only chooses
 * whether each optional part is present, in the regex's order (present first).
 */
export function matchNumber(text: string, i: number): number {
  let p = i + 1;
  while (isDigit(text.charCodeAt(p))) p++;
  const intEnd = p;
  let fracEnd = -1;
  if (text.charCodeAt(p) === 46 && isDigit(text.charCodeAt(p + 1))) {
    let q = p + 2;
    while (isDigit(text.charCodeAt(q))) q++;
    fracEnd = q;
  }
  for (let f = 0; f < 2; f++) {
    const afterFrac = f === 0 ? fracEnd : intEnd;
    if (afterFrac < 0) continue;
    let expEnd = -1;
    const e = text.charCodeAt(afterFrac);
    if (e === 101 || e === 69) {
      let r = afterFrac + 1;
      const s = text.charCodeAt(r);
      if (s === 43 || s === 45) r++;
      if (isDigit(text.charCodeAt(r))) {
        r++;
        while (isDigit(text.charCodeAt(r))) r++;
        expEnd = r;
      }
    }
    for (let x = 0; x < 2; x++) {
      const end = x === 0 ? expEnd : afterFrac;
      if (end < 0) continue;
      const s = text.charCodeAt(end);
      if ((s === 107 || s === 77 || s === 71 || s === 84) && !isWordChar(text.charCodeAt(end + 1))) return end + 1;
      if (!isWordChar(s)) return end;
    }
  }
  return -1;
}

/**
 * The end of the STRING match at `i` (a quote), or -1: /"(\\.|[^"\\\n])*"|'(\\.|[^'\\\n])*'/.
 * A backslash takes any next char but a line terminator (`.`); nothing else takes a backslash,
 * the quote or '\n', so the match is unique.
 */
export function matchString(text: string, i: number): number {
  const quote = text.charCodeAt(i);
  const n = text.length;
  let p = i + 1;
  while (p < n) {
    const c = text.charCodeAt(p);
    if (c === quote) return p + 1;
    if (c === 92) {
      const d = text.charCodeAt(p + 1);
      if (p + 1 >= n || d === 10 || d === 13 || d === 0x2028 || d === 0x2029) return -1;
      p += 2;
    } else if (c === 10) return -1;
    else p++;
  }
  return -1;
}

/** Tokenizes `text` into `buf`; false where Chevrotain would report a lexer error. */
export function tokenize(text: string, buf: TokenBuffer): boolean {
  const n = text.length;
  buf.reserve(n);
  const kinds = buf.kinds;
  const starts = buf.starts;
  const ends = buf.ends;
  const lines = buf.lines;
  const cols = buf.cols;
  let count = 0;
  let hCount = 0;
  let line = 1;
  // The column of offset i is i - colBase: the offset of the last line break's last char.
  let colBase = -1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let kind: number;
    let end: number;
    if (c <= 32) {
      if (c === 32 || c === 9 || c === 11 || c === 12) {
        i++;
        continue;
      }
      if (c === 10) {
        line++;
        colBase = i;
        i++;
        continue;
      }
      if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        line++;
        colBase = i;
        i++;
        continue;
      }
      return false;
    }
    if (isIdStart(c)) {
      end = i + 1;
      while (isWordChar(text.charCodeAt(end))) end++;
      kind = T_ID;
      const candidates = WORDS_BY_FIRST[c];
      if (candidates !== undefined) {
        const len = end - i;
        for (let k = 0; k < candidates.length; k++) {
          const cand = candidates[k]!;
          if (cand[0].length === len && text.startsWith(cand[0], i)) {
            kind = cand[1];
            break;
          }
        }
      }
    } else if (isDigit(c)) {
      end = matchNumber(text, i);
      if (end < 0) return false;
      kind = T_NUMBER;
    } else {
      const d = text.charCodeAt(i + 1);
      end = i + 1;
      switch (c) {
        case 40:
          kind = K_LPAREN;
          break;
        case 41:
          kind = K_RPAREN;
          break;
        case 123:
          kind = K_LBRACE;
          break;
        case 125:
          kind = K_RBRACE;
          break;
        case 91:
          kind = K_LBRACKET;
          break;
        case 93:
          kind = K_RBRACKET;
          break;
        case 44:
          kind = K_COMMA;
          break;
        case 58:
          kind = K_COLON;
          break;
        case 42:
          kind = K_STAR;
          break;
        case 37:
          kind = K_PERCENT;
          break;
        case 43:
          kind = K_PLUS;
          break;
        case 61:
          if (d === 61) {
            kind = K_EQEQ;
            end++;
          } else kind = K_EQ;
          break;
        case 45:
          if (d === 62) {
            kind = K_ARROW;
            end++;
          } else kind = K_MINUS;
          break;
        case 46:
          if (d === 46) {
            kind = K_DOTDOT;
            end++;
          } else kind = K_DOT;
          break;
        case 60:
          if (d === 61) {
            kind = K_LE;
            end++;
          } else kind = K_LT;
          break;
        case 62:
          if (d === 61) {
            kind = K_GE;
            end++;
          } else kind = K_GT;
          break;
        case 33:
          if (d !== 61) return false;
          kind = K_NE;
          end++;
          break;
        case 34:
        case 39:
          end = matchString(text, i);
          if (end < 0) return false;
          kind = T_STRING;
          break;
        case 35: {
          // SL_COMMENT: /#[^\n\r]*/, hidden.
          while (end < n) {
            const e = text.charCodeAt(end);
            if (e === 10 || e === 13) break;
            end++;
          }
          const col = i - colBase;
          buf.hKinds[hCount] = T_SL_COMMENT;
          buf.hStarts[hCount] = i;
          buf.hEnds[hCount] = end;
          buf.hLines[hCount] = line;
          buf.hCols[hCount] = col;
          buf.hEndLines[hCount] = line;
          buf.hEndCols[hCount] = col + (end - i) - 1;
          hCount++;
          i = end;
          continue;
        }
        case 47: {
          if (d === 47) {
            kind = K_SLASHSLASH;
            end++;
            break;
          }
          const close = d === 42 ? text.indexOf('*/', i + 2) : -1;
          if (close < 0) {
            kind = K_SLASH;
            break;
          }
          // ML_COMMENT, hidden; it may span lines.
          end = close + 2;
          const startLine = line;
          const startCol = i - colBase;
          for (let p = i + 2; p < close; p++) {
            const e = text.charCodeAt(p);
            if (e === 10) {
              line++;
              colBase = p;
            } else if (e === 13) {
              if (text.charCodeAt(p + 1) === 10) p++;
              line++;
              colBase = p;
            }
          }
          buf.hKinds[hCount] = T_ML_COMMENT;
          buf.hStarts[hCount] = i;
          buf.hEnds[hCount] = end;
          buf.hLines[hCount] = startLine;
          buf.hCols[hCount] = startCol;
          buf.hEndLines[hCount] = line;
          buf.hEndCols[hCount] = end - colBase - 1;
          hCount++;
          i = end;
          continue;
        }
        default:
          if (c > 127 && isUnicodeSpace(c)) {
            i++;
            continue;
          }
          return false;
      }
    }
    kinds[count] = kind;
    starts[count] = i;
    ends[count] = end;
    lines[count] = line;
    cols[count] = i - colBase;
    count++;
    i = end;
  }
  kinds[count] = T_EOF;
  starts[count] = n;
  ends[count] = n;
  kinds[count + 1] = T_EOF;
  buf.count = count;
  buf.hCount = hCount;
  return true;
}
