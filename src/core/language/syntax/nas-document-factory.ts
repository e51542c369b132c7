/**
 * The document factory parses incrementally, one top-level chunk at a time, reusing the chunks
 * an edit did not touch (docs/architecture.md, "Incremental checking"; docs/adr/0004). Every
 * chunk goes through Langium's parser.
 *
 * "Parsing never fails", even where Langium's parser does: on some malformed inputs its error
 * recovery unwinds past the root and throws a TypeError (e.g. `space S(a: int = {`), and on
 * thousands of bad tokens in a row its recovery takes seconds and can overflow the stack (the
 * parse guard stops it after fifty errors). So we guard here: on a throw, reset the parser's
 * state, blank the line of the first recorded syntax error (keeping every offset), and parse
 * again, up to a few times; the recorded errors are reported as syntax diagnostics. As a last
 * resort the document gets an empty AST plus those diagnostics.
 */
import {
  DefaultLangiumDocumentFactory,
  RootCstNodeImpl,
  type AstNode,
  type CstNode,
  type LangiumCoreServices,
  type LexingDiagnostic,
  type Mutable,
  type ParseResult,
  type ParserOptions,
  type URI,
} from 'langium';
import type { Document } from './generated/ast.js';
import { splitTopLevelChunks, type TextChunk } from './chunks.js';
import { incrementalStateOf } from './incremental-state.js';
import { TooManySyntaxErrors } from './parse-guard.js';
import { cstBuilderOf } from './cst-builder.js';
import { ChunkRecord } from './chunk-record.js';
import { MAX_SOURCE_BYTES, tooLargeParse } from './source-limit.js';

type IToken = ParseResult['parserErrors'][number]['token'];

const MAX_RETRIES = 4;

/** The parser's state that a throw leaves behind (Langium's `LangiumParser` and Chevrotain's wrapper). */
interface ParserInternals {
  stack: unknown[];
  wrapper: { errors: ParseResult['parserErrors'] };
}

export class NasDocumentFactory extends DefaultLangiumDocumentFactory {
  private readonly services: LangiumCoreServices['shared'];
  /** The chunks of the last parse of each document, for reuse by its next parse. */
  private readonly chunksByUri = new Map<string, ChunkRecord[]>();

  /** Whether `forget` is hooked to the document builder's deletions yet. */
  private forgetsDeleted = false;

  constructor(services: LangiumCoreServices['shared']) {
    super(services);
    this.services = services;
  }

  /** Drops what is kept for re-parsing the document at `uri` (it was deleted). */
  forget(uri: URI): void {
    this.chunksByUri.delete(uri.toString());
  }

  /**
   * Parses top-level chunk by chunk (chunks.ts), keeping the AST and CST of every chunk whose
   * text is unchanged since the document's last parse, moved to its new place; only changed
   * chunks go through the parser. The result is one document AST and one CST, as a whole-text
   * parse gives.
   */
  protected override parse<T extends AstNode>(uri: URI, text: string, options?: ParserOptions): ParseResult<T> {
    // Beyond the size limit an empty document is parsed, with one error that says why.
    if (text.length > MAX_SOURCE_BYTES) return tooLargeParse(this.parse<T>(uri, '', options), text.length);
    if (options?.rule) return this.parseWhole<T>(uri, text, options);
    if (!this.forgetsDeleted) {
      // Hooked on first use: the builder is created after the factory.
      this.forgetsDeleted = true;
      this.services.workspace.DocumentBuilder.onUpdate((_changed, deleted) => {
        for (const d of deleted) this.forget(d);
      });
    }
    const key = uri.toString();
    const previous = this.chunksByUri.get(key) ?? [];
    const pieces = splitTopLevelChunks(text);
    const records: Array<ChunkRecord | undefined> = new Array<ChunkRecord | undefined>(pieces.length);
    const kept = new Set<ChunkRecord>();
    const same = (r: ChunkRecord, p: TextChunk): boolean => r.text.length === p.end - p.start && text.startsWith(r.text, p.start);
    // Most edits touch one chunk: match the unchanged prefix and suffix by direct comparison,
    // and only the chunks in between by text.
    let head = 0;
    while (head < pieces.length && head < previous.length && same(previous[head]!, pieces[head]!)) {
      records[head] = previous[head];
      head++;
    }
    let tail = 0;
    while (tail < pieces.length - head && tail < previous.length - head && same(previous[previous.length - 1 - tail]!, pieces[pieces.length - 1 - tail]!)) {
      records[pieces.length - 1 - tail] = previous[previous.length - 1 - tail];
      tail++;
    }
    const pool = new Map<string, ChunkRecord[]>();
    for (let i = head; i < previous.length - tail; i++) {
      const r = previous[i]!;
      const list = pool.get(r.text);
      if (list) list.push(r);
      else pool.set(r.text, [r]);
    }
    let parsed = false;
    for (let i = 0; i < pieces.length; i++) {
      const c = pieces[i]!;
      let record = records[i];
      if (!record) {
        const chunkText = text.slice(c.start, c.end);
        record = pool.get(chunkText)?.shift();
        if (!record) {
          record = new ChunkRecord(chunkText, this.parseWhole<Document>(uri, chunkText, undefined, c), c.start, c.line);
          parsed = true;
        } else kept.add(record);
        records[i] = record;
      } else kept.add(record);
      record.moveTo(c.start, c.line);
    }
    // Langium's parser holds on to the CST root of its last parse until its next one, and through
    // it this whole document: a document replaced or closed before the next parse would then
    // outlive the young-generation collections that should free it (docs/architecture.md,
    // "A closed document dies young"). An empty parse lets go of it.
    if (parsed) this.parseWhole(uri, '');
    const done = records as ChunkRecord[];
    this.chunksByUri.set(key, done);

    // What later passes must redo for kept elements: references to changed names, and all of
    // them when the imports changed (incremental-state.ts).
    const changedNames = new Set<string>();
    let importsChanged = false;
    const noteChanged = (r: ChunkRecord): void => {
      for (const e of r.root.elements) if (e.name) changedNames.add(e.name);
      if (r.root.imports.length > 0) importsChanged = true;
    };
    for (const r of done) if (!kept.has(r)) noteChanged(r);
    for (const r of previous) if (!kept.has(r)) noteChanged(r);
    incrementalStateOf(this.services).recordParse(key, changedNames, importsChanged);

    return assemble(text, done) as unknown as ParseResult<T>;
  }

  /**
   * One parse of `text` with Langium's parser, guarded as described at the top of the file; its
   * CST sits at `at` of the document (its errors stay where they are in `text`).
   */
  private parseWhole<T extends AstNode>(
    uri: URI,
    text: string,
    options?: ParserOptions,
    at: { start: number; line: number } = { start: 0, line: 0 },
  ): ParseResult<T> {
    const parser = this.services.ServiceRegistry.getServices(uri).parser.LangiumParser;
    const internals = parser as unknown as ParserInternals;
    cstBuilderOf(parser).startAt(at.start, at.line);
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
        // A RangeError is a stack overflow: Chevrotain's error recovery recurses once per bad
        // token, so thousands of them in a row (`x = 1 else 1 else 1 ...`) overflow it; the
        // parse guard stops it after MAX_SYNTAX_ERRORS before that.
        if (!(e instanceof TypeError) && !(e instanceof RangeError) && !(e instanceof TooManySyntaxErrors)) throw e;
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

function moveToken<T extends IToken>(t: T, r: ChunkRecord): T {
  if (Number.isNaN(t.startOffset)) return t;
  return {
    ...t,
    startOffset: t.startOffset + r.offset,
    endOffset: (t.endOffset ?? t.startOffset) + r.offset,
    startLine: (t.startLine ?? 1) + r.line,
    endLine: (t.endLine ?? 1) + r.line,
  };
}

/**
 * One document AST and CST over the chunks, with their errors at document positions. Every CST
 * node points at the root of its own chunk's parse (for `text`, read from the root's full text at
 * the node's offset): that root now reads the whole document and stands for the whole
 * document's AST; the chunks' top-level nodes are children of the document's root.
 */
function assemble(text: string, records: readonly ChunkRecord[]): ParseResult<Document> {
  const root = new RootCstNodeImpl(text);
  const doc = { $type: 'Document', imports: [], elements: [] } as unknown as Document & { $cstNode: CstNode };
  root.astNode = doc;
  root.root = root;
  doc.$cstNode = root;
  const parserErrors: ParseResult['parserErrors'] = [];
  const lexerErrors: ParseResult['lexerErrors'] = [];
  const lexerDiagnostics: LexingDiagnostic[] = [];
  records.forEach((r, i) => {
    if (r.chunkRoot) {
      // Langium's root keeps its text in a private field: it has no setter.
      (r.chunkRoot as unknown as { _text: string })._text = text;
      r.chunkRoot.astNode = doc;
    }
    // Langium's content arrays set the container of what is pushed into them.
    for (const node of r.cst) root.content.push(node);
    for (const imp of r.root.imports) {
      (imp as Mutable<AstNode>).$container = doc;
      (imp as Mutable<AstNode>).$containerIndex = doc.imports.length;
      doc.imports.push(imp);
    }
    for (const el of r.root.elements) {
      (el as Mutable<AstNode>).$container = doc;
      (el as Mutable<AstNode>).$containerIndex = doc.elements.length;
      doc.elements.push(el);
    }
    const next = records[i + 1];
    for (const e of r.parserErrors) {
      // Chevrotain's errors are Error objects: their message is not an own enumerable property.
      const moved = { ...e, name: e.name, message: e.message, token: moveToken(e.token, r) } as (typeof parserErrors)[number];
      if ('previousToken' in e && e.previousToken) (moved as unknown as { previousToken: IToken }).previousToken = moveToken(e.previousToken as IToken, r);
      // The chunk ended where the next one starts; a whole-text parse would have found the
      // next element's first word there, not the end of the file.
      if (next && Number.isNaN(e.token.startOffset)) {
        const word = /^\S+/.exec(next.text.trimStart())?.[0] ?? '';
        moved.message = e.message.replace(/but found:? ''/, `but found: '${word}'`).replace(/but found `` /, `but found \`${word}\` `);
      }
      parserErrors.push(moved);
    }
    for (const e of r.lexerErrors) lexerErrors.push({ ...e, offset: e.offset + r.offset, line: (e.line ?? 1) + r.line });
    for (const e of r.lexerDiagnostics) lexerDiagnostics.push({ ...e, offset: e.offset + r.offset, line: (e.line ?? 1) + r.line });
  });
  return { value: doc, parserErrors, lexerErrors, lexerReport: { diagnostics: lexerDiagnostics } };
}

/** The text with the line around `offset` replaced by spaces (offsets and lines kept). */
function blankLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end <= start) return text;
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}
