/**
 * Langium's parser, guarded against inputs on which its error recovery takes seconds: it stops
 * after a bounded number of syntax errors (the document factory then parses the chunk again
 * without the line of the first error), and its search for a token to resynchronize on is a
 * map lookup. Over-deep nesting is stopped before the parser by the lexer (nesting-guard.ts).
 */
import { createLangiumParser, type LangiumCoreServices, type LangiumParser } from 'langium';

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

/**
 * The language's parser with the error cap and the faster resynchronization. A parser that
 * throws (the cap, or Langium's own recovery on some inputs) is handled by the document
 * factory, which retries around the error (nas-document-factory.ts).
 */
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
