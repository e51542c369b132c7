/**
 * The size limit of a source file, where every front end meets it: the CLI and imports refuse
 * a larger file before reading it (core/source-files.ts); a larger document the editor sends is
 * parsed as empty, with one error saying why (the document factory), instead of a parse, link
 * and check that took half a minute and gigabytes for a million lines.
 */
import type { AstNode, ParseResult } from 'langium';

/** The largest source file: a hundred times the largest reference example (about 10 kB). */
export const MAX_SOURCE_BYTES = 1024 * 1024;

const PREFIX = 'the file is ';
const SUFFIX = ` a source file may have: it is not checked`;

/** The message of the one error of a document over the limit (`length` in characters). */
export function tooLargeMessage(length: number): string {
  return `${PREFIX}${length.toLocaleString('en-US')} characters, more than the ${MAX_SOURCE_BYTES.toLocaleString('en-US')}${SUFFIX}`;
}

export function isTooLargeMessage(message: string): boolean {
  return message.startsWith(PREFIX) && message.endsWith(SUFFIX);
}

/** The parse of an empty document, with the too-large error at its start. */
export function tooLargeParse<T extends AstNode>(empty: ParseResult<T>, length: number): ParseResult<T> {
  return { ...empty, lexerErrors: [{ offset: 0, line: 1, column: 1, length: 0, message: tooLargeMessage(length) }] };
}
