/**
 * A guard between the lexer and the parser. Chevrotain's recursive descent uses about a dozen
 * rule frames per level of expression nesting, so `((((...))))` about 60 deep overflows Node's
 * stack and 10,000 deep takes minutes to fail. Real .nas files nest a few levels; the guard
 * reads the lexer's tokens in linear time and, past generous limits, hands the parser no tokens
 * and reports the place as a lexing error instead, so the CLI and the server stay responsive.
 * With chunked parsing (nas-document-factory.ts) it applies per top-level chunk: only the
 * offending element is lost. It works on Langium's tokens, so it knows nothing of the grammar's
 * lexical rules; the binary operators are read from the grammar's infix rule.
 */
import { DefaultLexer, GrammarAST, type LangiumCoreServices, type LexerResult, type TokenizeOptions } from 'langium';

type IToken = LexerResult['tokens'][number];

export const MAX_BRACKET_DEPTH = 32;
export const MAX_BRACE_DEPTH = 256;
export const MAX_OPERATOR_RUN = 128;
/** `if` expressions open before their `else` (each is a level of recursion, as a bracket is). */
export const MAX_IF_DEPTH = 32;

/**
 * Binary operators in one expression. The parser reads a chain iteratively, but it builds the
 * tree (and the elaborator walks it) by recursion as deep as the chain is long: a 20,000-term
 * `a -> b -> ...` overflowed the stack and sent Langium's parser into 48 s of error recovery.
 */
export const MAX_CHAIN = 1000;

export interface NestingProblem {
  /** The token where a limit is passed. */
  token: IToken;
  message: string;
}

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

/**
 * The first token at which `tokens` nest deeper than the parser can take, if any. `operators`
 * are the binary operators (`-` is also a prefix operator, as `not` is).
 */
export function findNestingProblem(tokens: readonly IToken[], operators: ReadonlySet<string>): NestingProblem | undefined {
  let braces = 0;
  // Prefix operators (`-`, `not`) in a row: each is a level of recursion in the parser.
  let minusRun = 0;
  let ifDepth = 0;
  // Binary operators since the current expression started (approximately: a statement starts
  // after `{`, `}` or `=` outside brackets, or on a new line outside brackets when neither the
  // line before ends nor the new line starts with an operator or a bracket). Over-counting
  // only makes the bound stricter.
  const st: ChainState = { chain: 0, lastWasOperator: false, lastWasOperand: false, newline: false, brackets: 0, outer: [] };
  const tooLong = (token: IToken): NestingProblem => ({ token, message: `expressions of more than ${MAX_CHAIN} operators are not supported` });
  let previous: IToken | undefined;
  for (const t of tokens) {
    if (previous && (t.startLine ?? 0) > (previous.endLine ?? 0)) st.newline = true;
    previous = t;
    const word = t.tokenType.name;
    if (word === '-' || word === 'not') {
      if (!noteToken(st, word === '-', false)) return tooLong(t);
      if (++minusRun > MAX_OPERATOR_RUN) return { token: t, message: `more than ${MAX_OPERATOR_RUN} operators in a row are not supported` };
      continue;
    }
    minusRun = 0;
    switch (word) {
      case '(':
      case '[':
        // A call or an index after an operand nests the tree one level, as an operator does.
        if (st.lastWasOperand) {
          if (!noteToken(st, true, true)) return tooLong(t);
        } else noteToken(st, false, true);
        if (++st.brackets > MAX_BRACKET_DEPTH)
          return { token: t, message: `expressions nested deeper than ${MAX_BRACKET_DEPTH} levels of brackets are not supported` };
        st.outer.push(st.chain);
        st.chain = 0;
        break;
      case ')':
      case ']':
        noteToken(st, false, false);
        st.lastWasOperand = true;
        if (st.brackets > 0) st.brackets--;
        st.chain = st.outer.pop() ?? 0;
        break;
      case '{':
      case '}':
        noteToken(st, false, false);
        st.chain = 0;
        if (word === '}') {
          if (braces > 0) braces--;
        } else if (++braces > MAX_BRACE_DEPTH) return { token: t, message: `bodies nested deeper than ${MAX_BRACE_DEPTH} levels are not supported` };
        break;
      case '=':
        // `name = ...`, `k=3`: a new statement or argument starts.
        noteToken(st, false, false);
        if (st.brackets === 0) st.chain = 0;
        break;
      case ',':
        noteToken(st, false, false);
        st.chain = 0; // the next item or argument is a tree of its own
        break;
      case '.':
        if (!noteToken(st, true, true)) return tooLong(t); // `.member` nests like an operator
        break;
      case 'if':
        noteToken(st, false, false);
        if (++ifDepth > MAX_IF_DEPTH) return { token: t, message: `\`if\` expressions nested deeper than ${MAX_IF_DEPTH} levels are not supported` };
        break;
      case 'else':
        noteToken(st, false, false);
        if (ifDepth > 0) ifDepth--;
        break;
      default:
        if (operators.has(word)) {
          if (!noteToken(st, true, false)) return tooLong(t);
        } else {
          // A name, number or string (terminals), or a keyword that is a word: an operand.
          noteToken(st, false, false);
          st.lastWasOperand = isWordChar(word.charCodeAt(0));
        }
    }
  }
  return undefined;
}

function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** The keywords of the grammar's infix rules: its binary operators. */
export function binaryOperators(grammar: GrammarAST.Grammar): Set<string> {
  const out = new Set<string>();
  for (const rule of grammar.rules) {
    if (!GrammarAST.isInfixRule(rule)) continue;
    for (const level of rule.operators.precedences) for (const op of level.operators) out.add(op.value);
  }
  return out;
}

/** Langium's lexer, whose result the parser gets only when it does not nest too deep. */
export class NasLexer extends DefaultLexer {
  private readonly operators: ReadonlySet<string>;

  constructor(services: LangiumCoreServices) {
    super(services);
    this.operators = binaryOperators(services.Grammar);
  }

  override tokenize(text: string, options?: TokenizeOptions): LexerResult {
    const result = super.tokenize(text, options);
    const problem = findNestingProblem(result.tokens, this.operators);
    if (!problem) return result;
    const t = problem.token;
    const error = { offset: t.startOffset, line: t.startLine, column: t.startColumn, length: t.image.length, message: problem.message };
    return { ...result, tokens: [], hidden: [], errors: [...result.errors, error] };
  }
}
