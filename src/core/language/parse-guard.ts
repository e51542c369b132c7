/**
 * A guard in front of the parser. Chevrotain's recursive descent uses about a dozen rule
 * frames per level of expression nesting, so `((((...))))` about 60 deep overflows Node's stack
 * and 10,000 deep takes minutes to fail. Real .nas files nest a few levels; the guard scans the
 * text in linear time and, past generous limits, parses an empty document and reports the
 * place instead, so the CLI and the server stay responsive. With chunked parsing
 * (nas-document-factory.ts) it applies per top-level chunk: only the offending element is lost.
 */
import type { AstNode, LangiumCoreServices, ParseResult } from 'langium';

export const MAX_BRACKET_DEPTH = 32;
export const MAX_BRACE_DEPTH = 256;
export const MAX_OPERATOR_RUN = 128;
/** `if` expressions open before their `else` (each is a level of recursion, as a bracket is). */
export const MAX_IF_DEPTH = 32;

export interface NestingProblem {
  offset: number;
  message: string;
}

/** Finds the first place where the text nests deeper than the parser can take, if any. */
export function findNestingProblem(text: string): NestingProblem | undefined {
  let brackets = 0;
  let braces = 0;
  // Prefix operators (`-`, `not`) in a row: each is a level of recursion in the parser.
  let minusRun = 0;
  let ifDepth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 0x23 /* # */: {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? n : nl;
        continue;
      }
      case 0x2f /* / */:
        if (text.charCodeAt(i + 1) === 0x2a) {
          const end = text.indexOf('*/', i + 2);
          i = end < 0 ? n : end + 1;
          continue;
        }
        break;
      case 0x22 /* " */:
      case 0x27 /* ' */: {
        let j = i + 1;
        while (j < n && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 0x0a) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
        i = j;
        continue;
      }
      case 0x28 /* ( */:
      case 0x5b /* [ */:
        if (++brackets > MAX_BRACKET_DEPTH)
          return { offset: i, message: `expressions nested deeper than ${MAX_BRACKET_DEPTH} levels of brackets are not supported` };
        break;
      case 0x29 /* ) */:
      case 0x5d /* ] */:
        if (brackets > 0) brackets--;
        break;
      case 0x7b /* { */:
        if (++braces > MAX_BRACE_DEPTH) return { offset: i, message: `bodies nested deeper than ${MAX_BRACE_DEPTH} levels are not supported` };
        break;
      case 0x7d /* } */:
        if (braces > 0) braces--;
        break;
      case 0x2d /* - */:
        if (text.charCodeAt(i + 1) !== 0x3e /* > */ && ++minusRun > MAX_OPERATOR_RUN) {
          return { offset: i, message: `more than ${MAX_OPERATOR_RUN} operators in a row are not supported` };
        }
        continue;
      default:
        if (isWordStart(c)) {
          let j = i + 1;
          while (j < n && isWordPart(text.charCodeAt(j))) j++;
          const length = j - i;
          const start = i;
          i = j - 1;
          if (length === 3 && text.startsWith('not', start)) {
            if (++minusRun > MAX_OPERATOR_RUN) return { offset: start, message: `more than ${MAX_OPERATOR_RUN} operators in a row are not supported` };
            continue;
          }
          if (length === 2 && text.startsWith('if', start)) {
            if (++ifDepth > MAX_IF_DEPTH) return { offset: start, message: `\`if\` expressions nested deeper than ${MAX_IF_DEPTH} levels are not supported` };
          } else if (length === 4 && text.startsWith('else', start) && ifDepth > 0) ifDepth--;
          minusRun = 0;
          continue;
        }
    }
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) minusRun = 0;
  }
  return undefined;
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

/** Wraps the language's parser so that over-deep input becomes one syntax error. */
export function guardParser(services: LangiumCoreServices): void {
  const parser = services.parser.LangiumParser;
  const parse = parser.parse.bind(parser);
  parser.parse = <T extends AstNode = AstNode>(input: string, options?: Parameters<typeof parse>[1]): ParseResult<T> => {
    // A parser that throws on other input is handled by the core's document factory, which
    // retries around the error (src/core/language/nas-document-factory.ts).
    const problem = findNestingProblem(input);
    if (!problem) return parse<T>(input, options);
    const empty = parse<T>('', options);
    const { line, column } = lineAndColumn(input, problem.offset);
    const error: ParseResult['lexerErrors'][number] = { offset: problem.offset, line, column, length: 1, message: problem.message };
    return { ...empty, lexerErrors: [error] };
  };
}
