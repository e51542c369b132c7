/**
 * A guard in front of the parser. Chevrotain's recursive descent uses about a dozen rule
 * frames per level of expression nesting, so `((((...))))` about 60 deep overflows Node's stack
 * and 10,000 deep takes minutes to fail. Real .nas files nest a few levels; the guard scans the
 * text in linear time and, past generous limits, parses an empty document and reports the
 * place instead, so the CLI and the server stay responsive. With chunked parsing
 * (nas-document-factory.ts) it applies per top-level chunk: only the offending element is lost.
 */
import { createLangiumParser, type AstNode, type LangiumCoreServices, type LangiumParser, type ParseResult } from 'langium';

export const MAX_BRACKET_DEPTH = 32;
export const MAX_BRACE_DEPTH = 256;
export const MAX_OPERATOR_RUN = 128;
/** `if` expressions open before their `else` (each is a level of recursion, as a bracket is). */
export const MAX_IF_DEPTH = 32;

export interface NestingProblem {
  offset: number;
  message: string;
}

/**
 * Binary operators in one expression. The parser reads a chain iteratively, but it builds the
 * tree (and the elaborator walks it) by recursion as deep as the chain is long: a 20,000-term
 * `a -> b -> ...` overflowed the stack and sent Langium's parser into 48 s of error recovery.
 */
export const MAX_CHAIN = 1000;

interface ChainState {
  chain: number;
  lastWasOperator: boolean;
  /** The last token ends an operand (a name, number, string, `)` or `]`): a `(` or `[` after it is a call or an index. */
  lastWasOperand: boolean;
  newline: boolean;
  brackets: number;
  /** The counts of the enclosing bracket levels: items and arguments are separate trees. */
  outer: number[];
}

/** Notes one token for the chain count; false when the expression has too many operators. */
function noteToken(st: ChainState, isOperator: boolean, continues: boolean): boolean {
  if (st.newline && st.brackets === 0 && !st.lastWasOperator && !isOperator && !continues) st.chain = 0;
  st.newline = false;
  st.lastWasOperator = isOperator;
  st.lastWasOperand = false;
  return !isOperator || ++st.chain <= MAX_CHAIN;
}

const NONE = 0;
const NOT = 1;
const AND = 2;
const OR = 3;
const STEP = 4;
const IF = 5;
const ELSE = 6;

/** Which of the words the guard cares about starts at `start` (`length` long), if any. */
function keywordAt(text: string, start: number, length: number): number {
  const c = text.charCodeAt(start);
  switch (length) {
    case 2:
      if (c === 0x69 /* i */ && text.charCodeAt(start + 1) === 0x66) return IF;
      if (c === 0x6f /* o */ && text.charCodeAt(start + 1) === 0x72) return OR;
      return NONE;
    case 3:
      if (c === 0x6e /* n */ && text.startsWith('not', start)) return NOT;
      if (c === 0x61 /* a */ && text.startsWith('and', start)) return AND;
      return NONE;
    case 4:
      if (c === 0x65 /* e */ && text.startsWith('else', start)) return ELSE;
      if (c === 0x73 /* s */ && text.startsWith('step', start)) return STEP;
      return NONE;
    default:
      return NONE;
  }
}

/** Finds the first place where the text nests deeper than the parser can take, if any. */
export function findNestingProblem(text: string): NestingProblem | undefined {
  let braces = 0;
  // Prefix operators (`-`, `not`) in a row: each is a level of recursion in the parser.
  let minusRun = 0;
  let ifDepth = 0;
  // Binary operators since the current expression started (approximately: a statement starts
  // after `{`, `}` or `=` outside brackets, or on a new line outside brackets when neither the
  // line before ends nor the new line starts with an operator or a bracket). Over-counting
  // only makes the bound stricter.
  const st: ChainState = { chain: 0, lastWasOperator: false, lastWasOperand: false, newline: false, brackets: 0, outer: [] };
  const n = text.length;
  const tooLong = (offset: number): NestingProblem => ({ offset, message: `expressions of more than ${MAX_CHAIN} operators are not supported` });
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x23 /* # */: {
        // To the end of the line, as the lexer's SL_COMMENT (a CR ends it too).
        let j = i + 1;
        while (j < n && text.charCodeAt(j) !== 0x0a && text.charCodeAt(j) !== 0x0d) j++;
        i = j - 1;
        continue;
      }
      case 0x0a /* \n */:
      case 0x0d /* \r */:
        st.newline = true;
        continue;
      case 0x20:
      case 0x09:
        continue;
      case 0x2f /* / */:
        if (text.charCodeAt(i + 1) === 0x2a) {
          const end = text.indexOf('*/', i + 2);
          // Without its `*/` it is no comment to the lexer (a `/` then a `*`): scan on.
          if (end >= 0) {
            for (let j = i; j < end; j++) if (text.charCodeAt(j) === 0x0a) st.newline = true;
            i = end + 1;
            continue;
          }
        }
        if (text.charCodeAt(i + 1) === 0x2f) i++;
        if (!noteToken(st, true, false)) return tooLong(i);
        break;
      case 0x22 /* " */:
      case 0x27 /* ' */: {
        let j = i + 1;
        while (j < n && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 0x0a) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
        i = j;
        noteToken(st, false, false);
        st.lastWasOperand = true;
        break;
      }
      case 0x28 /* ( */:
      case 0x5b /* [ */:
        // A call or an index after an operand nests the tree one level, as an operator does.
        if (st.lastWasOperand) {
          if (!noteToken(st, true, true)) return tooLong(i);
        } else noteToken(st, false, true);
        if (++st.brackets > MAX_BRACKET_DEPTH)
          return { offset: i, message: `expressions nested deeper than ${MAX_BRACKET_DEPTH} levels of brackets are not supported` };
        st.outer.push(st.chain);
        st.chain = 0;
        break;
      case 0x29 /* ) */:
      case 0x5d /* ] */:
        noteToken(st, false, false);
        st.lastWasOperand = true;
        if (st.brackets > 0) st.brackets--;
        st.chain = st.outer.pop() ?? 0;
        break;
      case 0x7b /* { */:
      case 0x7d /* } */:
        noteToken(st, false, false);
        st.chain = 0;
        if (c === 0x7d) {
          if (braces > 0) braces--;
        } else if (++braces > MAX_BRACE_DEPTH) return { offset: i, message: `bodies nested deeper than ${MAX_BRACE_DEPTH} levels are not supported` };
        break;
      case 0x2d /* - */:
        if (text.charCodeAt(i + 1) === 0x3e /* > */) {
          i++;
          if (!noteToken(st, true, false)) return tooLong(i - 1);
          break;
        }
        if (!noteToken(st, true, false)) return tooLong(i);
        if (++minusRun > MAX_OPERATOR_RUN) return { offset: i, message: `more than ${MAX_OPERATOR_RUN} operators in a row are not supported` };
        continue;
      case 0x3d /* = */:
      case 0x3c /* < */:
      case 0x3e /* > */:
      case 0x21 /* ! */: {
        const compare = text.charCodeAt(i + 1) === 0x3d;
        if (compare) i++;
        if (c === 0x3d && !compare) {
          // `name = ...`, `k=3`: a new statement or argument starts.
          noteToken(st, false, false);
          if (st.brackets === 0) st.chain = 0;
          break;
        }
        if (!noteToken(st, true, false)) return tooLong(i);
        break;
      }
      case 0x2b /* + */:
      case 0x2a /* * */:
      case 0x25 /* % */:
        if (!noteToken(st, true, false)) return tooLong(i);
        break;
      case 0x2e /* . */:
        if (text.charCodeAt(i + 1) === 0x2e) {
          i++;
          if (!noteToken(st, true, false)) return tooLong(i - 1);
        } else if (isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) {
          noteToken(st, false, false); // a decimal point
          st.lastWasOperand = true;
        } else if (!noteToken(st, true, true)) return tooLong(i); // `.member` nests like an operator
        break;
      case 0x2c /* , */:
        noteToken(st, false, false);
        st.chain = 0; // the next item or argument is a tree of its own
        break;
      default:
        if (isWordStart(c)) {
          let j = i + 1;
          while (j < n && isWordPart(text.charCodeAt(j))) j++;
          const start = i;
          const word = keywordAt(text, start, j - start);
          i = j - 1;
          if (word === NOT) {
            noteToken(st, false, false);
            if (++minusRun > MAX_OPERATOR_RUN) return { offset: start, message: `more than ${MAX_OPERATOR_RUN} operators in a row are not supported` };
            continue;
          }
          const isOperator = word === AND || word === OR || word === STEP;
          if (!noteToken(st, isOperator, false)) return tooLong(start);
          st.lastWasOperand = word === NONE;
          if (word === IF) {
            if (++ifDepth > MAX_IF_DEPTH) return { offset: start, message: `\`if\` expressions nested deeper than ${MAX_IF_DEPTH} levels are not supported` };
          } else if (word === ELSE && ifDepth > 0) ifDepth--;
        } else {
          noteToken(st, false, false);
          st.lastWasOperand = isDigit(c);
        }
    }
    minusRun = 0;
  }
  return undefined;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 0x30 && c <= 0x39);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * Syntax errors after which Langium's parser stops. Chevrotain's recovery scans ahead through
 * the rest of the tokens for each error and recurses on each, so 15,000 stray `else` in a row
 * took 13 s (and more overflowed the stack). The document factory catches this and parses the chunk
 * again without the line of the first error.
 */
export const MAX_SYNTAX_ERRORS = 50;

export class TooManySyntaxErrors extends Error {
  constructor() {
    super(`more than ${MAX_SYNTAX_ERRORS} syntax errors`);
  }
}

/** The language's parser, wrapped so that over-deep input becomes one syntax error. */
export function createGuardedParser(services: LangiumCoreServices): LangiumParser {
  const parser = createLangiumParser(services);
  const wrapper = (parser as unknown as { wrapper: { SAVE_ERROR(e: unknown): unknown; _errors: unknown[] } }).wrapper;
  const save = wrapper.SAVE_ERROR.bind(wrapper);
  wrapper.SAVE_ERROR = (error: unknown): unknown => {
    const saved = save(error);
    if (wrapper._errors.length > MAX_SYNTAX_ERRORS) throw new TooManySyntaxErrors();
    return saved;
  };
  speedUpResync(wrapper as unknown as ResyncInternals);
  const parse = parser.parse.bind(parser);
  parser.parse = <T extends AstNode = AstNode>(input: string, options?: Parameters<typeof parse>[1]): ParseResult<T> => {
    // A parser that throws on other input is handled by the core's document factory, which
    // retries around the error (src/core/language/syntax/nas-document-factory.ts).
    const problem = findNestingProblem(input);
    if (!problem) return parse<T>(input, options);
    const empty = parse<T>('', options);
    const { line, column } = lineAndColumn(input, problem.offset);
    const error: ParseResult['lexerErrors'][number] = { offset: problem.offset, line, column, length: 1, message: problem.message };
    return { ...empty, lexerErrors: [error] };
  };
  return parser;
}

interface ResyncTokenType {
  tokenTypeIdx: number;
  isParent?: boolean;
  categoryMatches?: number[];
}

interface ResyncInternals {
  flattenFollowSet(): ResyncTokenType[];
  LA(k: number): { tokenTypeIdx: number };
  findReSyncTokenType(): ResyncTokenType;
}

/**
 * Chevrotain's `findReSyncTokenType` (its error recovery looks ahead for a token that can
 * follow the current rule) tests every token ahead against every follow-set type through
 * lodash, once per syntax error: on a 30,000-token line of errors that was half a second for
 * fifty errors. This is the same search (the first type of the follow set, in its order, that
 * matches the first token ahead that any type matches; categories included) with the types
 * put in a map first.
 */
function speedUpResync(wrapper: ResyncInternals): void {
  wrapper.findReSyncTokenType = function (this: ResyncInternals): ResyncTokenType {
    const byIndex = new Map<number, ResyncTokenType>();
    for (const type of this.flattenFollowSet()) {
      if (!byIndex.has(type.tokenTypeIdx)) byIndex.set(type.tokenTypeIdx, type);
      if (type.isParent) for (const idx of type.categoryMatches ?? []) if (!byIndex.has(idx)) byIndex.set(idx, type);
    }
    // Terminates: EOF is always in the follow set and (virtually) at the end of the input.
    for (let k = 1; ; k++) {
      const found = byIndex.get(this.LA(k).tokenTypeIdx);
      if (found) return found;
    }
  };
}
