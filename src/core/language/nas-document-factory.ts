/**
 * The document factory parses incrementally, one top-level chunk at a time, reusing the chunks
 * an edit did not touch (docs/architecture.md, "Incremental checking").
 *
 * A chunk that the fast parser takes is stored AST-only and gets its CST when something first
 * reads one of its CST nodes (`ChunkRecord.materialize`): a check of the document reads none,
 * and not building them saved most of a from-scratch parse's allocation and garbage-collection
 * time (docs/architecture.md, "The fast parser builds no CST until something reads it").
 *
 * "Parsing never fails", even where Langium 4.2.1's parser does: on some malformed inputs its
 * error recovery unwinds past the root and throws a TypeError (e.g. `space S(a: int = {`), and
 * on thousands of bad tokens in a row its recovery takes seconds and can overflow the stack
 * (the parse guard stops it after fifty errors).
 * Newer Langium releases need Node 21+, so we guard here: on a throw, reset the parser's
 * state, blank the line of the first recorded syntax error (keeping every offset), and parse
 * again, up to a few times; the recorded errors are reported as syntax diagnostics. As a last
 * resort the document gets an empty AST plus those diagnostics.
 */
import {
  DefaultLangiumDocumentFactory,
  RootCstNodeImpl,
  isAstNode,
  isReference,
  type AstNode,
  type CompositeCstNode,
  type CstNode,
  type LangiumCoreServices,
  type LexingDiagnostic,
  type Mutable,
  type ParseResult,
  type URI,
} from 'langium';
import type { ParserOptions } from 'langium';
import type { Document } from './generated/ast.js';
import { splitTopLevelChunks, type TextChunk } from './chunks.js';
import { incrementalStateOf } from './incremental.js';
import { NasCstNodeBuilder, linkContainers } from './cst-builder.js';
import { moveLeaf, type LeafFields } from './cst-nodes.js';
import { TooManySyntaxErrors } from './parse-guard.js';
import { isCstPending, parseFast, registerLazyCstOwner, type LazyCstOwner } from './fast-parser.js';
import { MAX_SOURCE_BYTES, tooLargeParse } from '../util/source-limit.js';

type IToken = ParseResult['parserErrors'][number]['token'];

const MAX_RETRIES = 4;

interface ParserInternals {
  nodeBuilder: unknown;
  stack: unknown[];
  wrapper: { errors: ParseResult['parserErrors'] };
}

/** How many chunk CSTs were built on demand (tests count them: test/core/lazy-cst.test.ts). */
export const cstMaterializations = { count: 0 };

/** Where a chunk sits now: the last document it was assembled into. */
interface Placement {
  readonly text: string;
  readonly doc: Document;
  readonly root: RootCstNodeImpl;
}

type ChunkRoot = Omit<CompositeCstNode, 'astNode' | 'content'> & { _text: string; content: CstNode[]; astNode: AstNode };

/**
 * One top-level chunk of a document's last parse. A chunk parsed by the fast parser is stored
 * AST-only (`cst` undefined) and builds its CST on first demand (`materialize`); a chunk parsed
 * by Langium's parser has its CST from the start.
 */
class ChunkRecord implements LazyCstOwner {
  /** The top-level CST nodes of the chunk (elements, comments), in order; undefined while lazy. */
  cst: CstNode[] | undefined;
  /** The root of the chunk's own parse (every node's `root`), once there is a CST. */
  chunkRoot: ChunkRoot | undefined;
  /** Every leaf of `cst`, flat, for moving. */
  leaves: MutableLeaf[] = [];
  /** Where the chunk's CST currently sits in the document (a lazy chunk's CST will sit there). */
  offset = 0;
  line = 0;
  placement: Placement | undefined;
  /** The chunk before this one in the document's last parse. */
  previous: ChunkRecord | undefined;

  constructor(
    readonly text: string,
    /** The chunk's own parse: its root's imports and elements are the kept AST objects. */
    readonly root: Document,
    /** Errors with chunk-relative positions. */
    readonly parserErrors: ParseResult['parserErrors'],
    readonly lexerErrors: ParseResult['lexerErrors'],
    readonly lexerDiagnostics: LexingDiagnostic[],
    /** A parse of `text` with its CST, for when the CST is asked for. */
    private readonly reparse: (() => ParseResult<Document>) | undefined,
  ) {}

  /** A chunk with its CST, from Langium's parser (or a full parse). */
  static eager(text: string, parsed: ParseResult<Document>): ChunkRecord {
    const record = new ChunkRecord(text, parsed.value, parsed.parserErrors, parsed.lexerErrors, parsed.lexerReport?.diagnostics ?? [], undefined);
    const chunkRoot = parsed.value.$cstNode as ChunkRoot | undefined;
    const cst = [...(chunkRoot?.content ?? [])];
    if (chunkRoot) linkContainers(cst, chunkRoot, record.leaves as unknown as CstNode[]);
    record.cst = cst;
    record.chunkRoot = chunkRoot;
    return record;
  }

  /** A chunk that the fast parser parsed AST-only: its CST is built when first read. */
  static lazy(text: string, parsed: ParseResult<Document>, reparse: () => ParseResult<Document>): ChunkRecord {
    const record = new ChunkRecord(text, parsed.value, [], [], [], reparse);
    registerLazyCstOwner(parsed.value, record);
    for (const node of parsed.value.imports) registerLazyCstOwner(node, record);
    for (const node of parsed.value.elements) registerLazyCstOwner(node, record);
    return record;
  }

  /**
   * The document-root child before `cst` (a top-level CST node of this chunk), as
   * `CstUtils.getPreviousNode` finds it in the root's content, building this chunk's CST and,
   * when `cst` comes first in it, the previous non-empty chunk's only; null if `cst` is not a
   * top-level node of this chunk.
   */
  previousTopLevelNode(cst: CstNode): CstNode | null | undefined {
    this.materialize();
    const i = this.cst!.indexOf(cst);
    if (i < 0) return null;
    if (i > 0) return this.cst![i - 1];
    for (let r = this.previous; r !== undefined; r = r.previous) {
      r.materialize();
      if (r.cst!.length > 0) return r.cst![r.cst!.length - 1];
    }
    return undefined;
  }

  /**
   * Builds the CST of a lazy chunk: the fast parser parses the text again with its CST, and
   * each node of that parse hands its CST node to its partner in the kept AST (the two ASTs
   * have the same shape: same parser, same text); references get their CST nodes the same way.
   * The new leaves move to where the chunk sits, and the top-level nodes join the document.
   */
  materialize(): void {
    if (this.cst !== undefined) return;
    const parsed = this.reparse!();
    const chunkRoot = parsed.value.$cstNode as ChunkRoot | undefined;
    if (!chunkRoot) throw new Error('no CST for a chunk parsed before');
    handOver(parsed.value, this.root);
    const cst = [...chunkRoot.content];
    const leaves: CstNode[] = [];
    linkContainers(cst, chunkRoot, leaves);
    for (let i = 0; i < leaves.length; i++) moveLeaf(leaves[i] as unknown as MutableLeaf, this.offset, this.line);
    this.leaves = leaves as unknown as MutableLeaf[];
    this.chunkRoot = chunkRoot;
    this.cst = cst;
    chunkRoot.astNode = this.root;
    if (this.placement) place(this, this.placement);
    cstMaterializations.count++;
  }
}

/**
 * Gives each node of the kept AST (`kept`) the CST node of its partner in a new parse of the
 * same text (`fresh`), and each kept reference its partner's `$refNode`. A CST node stands for
 * an AST node only as that node's `$cstNode` (both parsers set the two together and clear both
 * where Langium's parser hands a node to its caller), so that is where `astNode` is redirected.
 */
function handOver(fresh: AstNode, kept: AstNode): void {
  const cst = fresh.$cstNode as (CstNode & { _astNode?: AstNode }) | undefined;
  if (cst !== undefined && cst._astNode === fresh) cst._astNode = kept;
  (kept as Mutable<AstNode>).$cstNode = cst;
  const a = fresh as unknown as Record<string, unknown>;
  const b = kept as unknown as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (key.charCodeAt(0) === 36 /* $ */) continue;
    const x = a[key];
    const y = b[key];
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      for (let i = 0; i < x.length; i++) {
        if (isAstNode(x[i])) handOver(x[i] as AstNode, ys[i] as AstNode);
      }
    } else if (isAstNode(x)) handOver(x, y as AstNode);
    else if (isReference(x)) (y as { $refNode: CstNode | undefined }).$refNode = x.$refNode;
  }
}

/**
 * Every CST node points at the root of its own parse (for `text`, read from the root's full
 * text at the node's offset): that root now reads the whole document, and stands for the whole
 * document's AST; the chunk's top-level nodes are children of the document's root.
 */
function place(r: ChunkRecord, p: Placement): void {
  const chunkRoot = r.chunkRoot;
  if (chunkRoot) {
    chunkRoot._text = p.text;
    chunkRoot.astNode = p.doc;
  }
  for (const node of r.cst ?? []) (node as unknown as { container: CstNode }).container = p.root;
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
   * Parses top-level chunk by chunk (src/core/language/chunks.ts), keeping the AST and CST of
   * every chunk whose text is unchanged since the document's last parse, moved to its new
   * place; only changed chunks go through the parser. The result is one document AST and one
   * CST, as a whole-text parse gives.
   */
  protected override parse<T extends AstNode>(uri: URI, text: string, options?: ParserOptions): ParseResult<T> {
    // Beyond the size limit an empty document is parsed, with one error that says why.
    if (text.length > MAX_SOURCE_BYTES) return tooLargeParse(this.parse<T>(uri, '', options), text.length);
    if (options?.rule) {
      const result = this.parseWhole<T>(uri, text, options);
      const root = result.value.$cstNode as CompositeCstNode | undefined;
      if (root) linkContainers(root.content, root, []);
      return result;
    }
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
    for (let i = 0; i < pieces.length; i++) {
      const c = pieces[i]!;
      let record = records[i];
      if (!record) {
        const chunkText = text.slice(c.start, c.end);
        record = pool.get(chunkText)?.shift();
        if (!record) {
          // The hand-written parser gives Langium's result for error-free text, ~8x faster;
          // anything else goes to Langium's parser (src/core/language/fast-parser.ts).
          // It parses AST-only: the chunk's CST is built when something reads it (see ChunkRecord).
          const services = this.services.ServiceRegistry.getServices(uri);
          const fast = parseFast(services, chunkText, false);
          // Reparsed by the same parser, unless it overflows the stack then (materialization may
          // be asked for deep in a caller's stack): Langium's parser gives the same trees.
          const reparse = (): ParseResult<Document> => parseFast(services, chunkText, true) ?? this.parseWhole<Document>(uri, chunkText);
          if (fast && isCstPending(fast.value)) record = ChunkRecord.lazy(chunkText, fast, reparse);
          else record = ChunkRecord.eager(chunkText, fast ?? this.parseWhole<Document>(uri, chunkText));
        } else kept.add(record);
        records[i] = record;
      } else kept.add(record);
      moveChunk(record, c.start, c.line);
    }
    const done = records as ChunkRecord[];
    this.chunksByUri.set(key, done);

    // What later passes must redo for kept elements: references to changed names, and all of
    // them when the imports changed (src/core/language/incremental.ts).
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

  /** One parse of `text` with Langium's parser, guarded as described at the top of the file. */
  private parseWhole<T extends AstNode>(uri: URI, text: string, options?: ParserOptions): ParseResult<T> {
    const parser = this.services.ServiceRegistry.getServices(uri).parser.LangiumParser;
    const internals = parser as unknown as ParserInternals;
    if (!(internals.nodeBuilder instanceof NasCstNodeBuilder)) internals.nodeBuilder = new NasCstNodeBuilder();
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

type MutableLeaf = LeafFields;

/** Moves a chunk's CST to (offset, line): every leaf's offset and lines shift by the same amount. */
function moveChunk(r: ChunkRecord, offset: number, line: number): void {
  const dOffset = offset - r.offset;
  const dLine = line - r.line;
  if (dOffset === 0 && dLine === 0) return;
  // Leaves hold their positions as numbers and composite nodes read theirs from their leaves
  // (cst-nodes.ts), so shifting the leaves moves everything.
  const leaves = r.leaves;
  for (let i = 0; i < leaves.length; i++) moveLeaf(leaves[i]!, dOffset, dLine);
  r.offset = offset;
  r.line = line;
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
 * One document AST and CST over the chunks, with their errors at document positions. While some
 * chunk has no CST yet, the root's `content` is an accessor that builds every chunk's CST on
 * first read, so that whatever walks the document's CST (`CstUtils`, the formatter, the LSP
 * features) sees all of it; a read of one node's `$cstNode` builds its chunk only.
 */
function assemble(text: string, records: ChunkRecord[]): ParseResult<Document> {
  const root = new RootCstNodeImpl(text);
  const doc = { $type: 'Document', imports: [], elements: [] } as unknown as Document & { $cstNode: CstNode };
  root.astNode = doc;
  root.root = root;
  doc.$cstNode = root;
  const parserErrors: ParseResult['parserErrors'] = [];
  const lexerErrors: ParseResult['lexerErrors'] = [];
  const lexerDiagnostics: LexingDiagnostic[] = [];
  const placement: Placement = { text, doc, root };
  const content = root.content;
  let pending = false;
  records.forEach((r, i) => {
    r.placement = placement;
    r.previous = records[i - 1];
    if (r.cst === undefined) pending = true;
    else {
      place(r, placement);
      if (!pending) for (const node of r.cst) content.push(node);
    }
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
  if (pending) {
    const lazy = root as LazyRoot;
    lazy[PENDING_CHUNKS] = records;
    lazy[ROOT_CONTENT] = content;
    Object.defineProperty(root, 'content', LAZY_CONTENT);
  }
  return { value: doc, parserErrors, lexerErrors, lexerReport: { diagnostics: lexerDiagnostics } };
}

const PENDING_CHUNKS = Symbol('chunks without CST');
const ROOT_CONTENT = Symbol('root content');
type LazyRoot = RootCstNodeImpl & { [PENDING_CHUNKS]?: ChunkRecord[]; [ROOT_CONTENT]?: CstNode[] };

/**
 * The root's `content` while some chunk has no CST: one getter for every document, reading the
 * chunks from the root. A getter closure per document (over its chunks) gave each document's
 * root a hidden class of its own that held the closure; hidden classes live in the old
 * generation, so the young-generation collector kept every chunk of a replaced or closed
 * document alive, through that closure, until the next full collection (docs/architecture.md,
 * "A closed document dies young").
 */
const LAZY_CONTENT: PropertyDescriptor = {
  get(this: LazyRoot): CstNode[] {
    const records = this[PENDING_CHUNKS]!;
    const content = this[ROOT_CONTENT]!;
    content.length = 0;
    for (const r of records) {
      r.materialize();
      for (const node of r.cst!) content.push(node);
    }
    Object.defineProperty(this, 'content', { value: content, writable: true, enumerable: true, configurable: true });
    this[PENDING_CHUNKS] = undefined;
    this[ROOT_CONTENT] = undefined;
    return content;
  },
  enumerable: true,
  configurable: true,
};

/** The text with the line around `offset` replaced by spaces (offsets and lines kept). */
function blankLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end <= start) return text;
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}
