/**
 * One top-level chunk of a document's last parse (nas-document-factory.ts): its text, the AST
 * and CST of its own parse, its errors, and where its CST sits in the document now.
 */
import type { CstNode, LexingDiagnostic, ParseResult, RootCstNodeImpl } from 'langium';
import type { Document } from './generated/ast.js';
import { moveLeaf, type LeafFields } from './cst-builder.js';

export class ChunkRecord {
  /** The top-level CST nodes of the chunk (elements, comments), in order. */
  readonly cst: readonly CstNode[];
  /** The root of the chunk's own parse: every node of the chunk reads its text through it. */
  readonly chunkRoot: RootCstNodeImpl | undefined;
  /** Every leaf of `cst`, collected when the chunk first moves. */
  private leaves: LeafFields[] | undefined;

  constructor(
    readonly text: string,
    parsed: ParseResult<Document>,
    /** Where the chunk's CST currently sits in the document (it was parsed there). */
    public offset: number,
    public line: number,
  ) {
    this.root = parsed.value;
    this.parserErrors = parsed.parserErrors;
    this.lexerErrors = parsed.lexerErrors;
    this.lexerDiagnostics = parsed.lexerReport?.diagnostics ?? [];
    this.chunkRoot = parsed.value.$cstNode as RootCstNodeImpl | undefined;
    this.cst = [...(this.chunkRoot?.content ?? [])];
  }

  /** The chunk's own parse: its root's imports and elements are the kept AST objects. */
  readonly root: Document;
  /** Errors with chunk-relative positions (Chevrotain's tokens). */
  readonly parserErrors: ParseResult['parserErrors'];
  readonly lexerErrors: ParseResult['lexerErrors'];
  readonly lexerDiagnostics: LexingDiagnostic[];

  /**
   * Moves the chunk's CST to (offset, line). Composite nodes read their positions from their
   * leaves (cst-builder.ts), so shifting every leaf moves the whole tree.
   */
  moveTo(offset: number, line: number): void {
    const dOffset = offset - this.offset;
    const dLine = line - this.line;
    if (dOffset === 0 && dLine === 0) return;
    this.leaves ??= leavesOf(this.cst);
    for (const leaf of this.leaves) moveLeaf(leaf, dOffset, dLine);
    this.offset = offset;
    this.line = line;
  }
}

function leavesOf(nodes: readonly CstNode[], out: LeafFields[] = []): LeafFields[] {
  for (const node of nodes) {
    const content = (node as { content?: CstNode[] }).content;
    if (content) leavesOf(content, out);
    else out.push(node as unknown as LeafFields);
  }
  return out;
}
