/**
 * Splits a .nas text into top-level chunks, the unit of incremental re-parsing
 * (docs/architecture.md, "Incremental checking"). A chunk starts at a line that begins, in
 * column 0, with a keyword that starts a top-level element while no bracket is open; the
 * text before the first such line belongs to the first chunk. The rule is conservative: once
 * brackets go unbalanced (more closing than opening), nothing after that point is split, so
 * a chunked parse sees exactly the token runs a whole-file parse would group into elements.
 *
 * The keywords come from the grammar (the first keywords of the entry rule's elements). The
 * scan itself is a small hand-written one, because an edit re-splits the whole text: Langium's
 * lexer takes about 12 ms over the 5,000-line benchmark file, this scan about 0.5 ms. It knows
 * only what can hide a bracket or a line start from the split: comments, strings and the `//`
 * operator (which the lexer takes before a `/*`). A split it misses only merges two chunks;
 * `test/core/incremental.test.ts` checks its splits against Langium's lexer.
 */
import { GrammarAST, type Grammar } from 'langium';
import { NasGrammar } from './generated/grammar.js';

export interface TextChunk {
  /** Offset of the chunk's first character in the text. */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
  /** 0-based line of `start` (always the start of a line). */
  readonly line: number;
}

/**
 * Adds the keywords that `element` can start with to `out`; returns whether it can also match
 * nothing (then what follows it can start the same text). Rule calls are followed once.
 */
function firstKeywords(element: GrammarAST.AbstractElement, out: Set<string>, seen: Set<GrammarAST.AbstractRule>): boolean {
  const optional = element.cardinality === '?' || element.cardinality === '*';
  if (GrammarAST.isKeyword(element)) out.add(element.value);
  else if (GrammarAST.isAssignment(element)) return firstKeywords(element.terminal, out, seen) || optional;
  else if (GrammarAST.isRuleCall(element)) {
    const rule = element.rule.ref;
    if (GrammarAST.isParserRule(rule) && !seen.has(rule)) {
      seen.add(rule);
      return firstKeywords(rule.definition, out, seen) || optional;
    }
  } else if (GrammarAST.isAlternatives(element)) {
    let empty = false;
    for (const e of element.elements) empty = firstKeywords(e, out, seen) || empty;
    return empty || optional;
  } else if (GrammarAST.isGroup(element)) {
    for (const e of element.elements) if (!firstKeywords(e, out, seen)) return optional;
    return true;
  } else if (GrammarAST.isAction(element)) return true;
  return optional;
}

/** The keywords that start a top-level element: the first keywords of the entry rule. */
export function topLevelKeywords(grammar: Grammar): string[] {
  const entry = grammar.rules.find((r): r is GrammarAST.ParserRule => GrammarAST.isParserRule(r) && r.entry);
  const out = new Set<string>();
  if (entry) firstKeywords(entry.definition, out, new Set([entry]));
  return [...out];
}

let keywords: { words: readonly string[]; firstChars: ReadonlySet<number> } | undefined;

function topLevel(): { words: readonly string[]; firstChars: ReadonlySet<number> } {
  if (!keywords) {
    const words = topLevelKeywords(NasGrammar());
    keywords = { words, firstChars: new Set(words.map((k) => k.charCodeAt(0))) };
  }
  return keywords;
}

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
  const { words, firstChars } = topLevel();
  if (!firstChars.has(text.charCodeAt(at))) return false;
  for (const k of words) {
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
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      // The floor-division operator: the lexer takes `//` before it could see a `/*` in `//*`.
      i += 2;
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
