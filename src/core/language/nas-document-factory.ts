/**
 * "Parsing never fails", even where Langium 4.2.1's parser does: on some malformed inputs its
 * error recovery unwinds past the root and throws a TypeError (e.g. `space S(a: int = {`).
 * Newer Langium releases need Node 21+, so we guard here: on a throw, reset the parser's
 * state, blank the line of the first recorded syntax error (keeping every offset), and parse
 * again, up to a few times; the recorded errors are reported as syntax diagnostics. As a last
 * resort the document gets an empty AST plus those diagnostics.
 */
import { DefaultLangiumDocumentFactory, type AstNode, type LangiumCoreServices, type ParseResult, type URI } from 'langium';
import type { ParserOptions } from 'langium';

const MAX_RETRIES = 4;

interface ParserInternals {
  stack: unknown[];
  wrapper: { errors: ParseResult['parserErrors'] };
}

export class NasDocumentFactory extends DefaultLangiumDocumentFactory {
  private readonly services: LangiumCoreServices['shared'];

  constructor(services: LangiumCoreServices['shared']) {
    super(services);
    this.services = services;
  }

  protected override parse<T extends AstNode>(uri: URI, text: string, options?: ParserOptions): ParseResult<T> {
    const parser = this.services.ServiceRegistry.getServices(uri).parser.LangiumParser;
    const internals = parser as unknown as ParserInternals;
    const recorded: ParseResult['parserErrors'] = [];
    let attempt = text;
    for (let i = 0; i <= MAX_RETRIES; i++) {
      try {
        const result = parser.parse<T>(attempt, options);
        if (recorded.length === 0) return result;
        // Report what the failed attempts saw, not the blanked text's view of it.
        return {
          ...result,
          parserErrors: [...recorded, ...result.parserErrors.filter((e) => !recorded.some((r) => r.token.startOffset === e.token.startOffset))],
        };
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        const errors = internals.wrapper.errors ?? [];
        internals.stack = [];
        const first = errors.find((x) => !Number.isNaN(x.token.startOffset));
        if (first) recorded.push(first);
        const blanked = first ? blankLine(attempt, first.token.startOffset) : undefined;
        if (!blanked || blanked === attempt) break;
        attempt = blanked;
      }
    }
    internals.stack = [];
    const empty = parser.parse<T>('', options);
    return { ...empty, parserErrors: recorded.length ? recorded : empty.parserErrors };
  }

  protected override async parseAsync<T extends AstNode>(uri: URI, text: string): Promise<ParseResult<T>> {
    return this.parse<T>(uri, text);
  }
}

/** The text with the line around `offset` replaced by spaces (offsets and lines kept). */
function blankLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end <= start) return text;
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}
