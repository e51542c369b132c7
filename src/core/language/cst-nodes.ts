/**
 * CST leaves that keep their position as four numbers and make the LSP `range` object when it
 * is read. Langium's leaves hold a range object with two position objects: three extra objects
 * per token, all of which survive (they are the document), so the young-generation collector
 * copies them. On the 5,002-line benchmark file that was 160,000 of the parse's ~650,000
 * objects, and the collector's time dominates a from-scratch check.
 *
 * Composite nodes read their range from their first and last leaves each time instead of
 * caching it (Langium caches a range made of the leaves' position objects, which the
 * incremental parse used to move in place; a range built on read has nothing to move). The
 * incremental parse moves a kept chunk by shifting each leaf's `_offset`, `_line` and
 * `_endLine` (nas-document-factory.ts).
 *
 * Everything else is Langium's: the leaves' prototype chain goes through `LeafCstNodeImpl`
 * and the composites' through `CompositeCstNodeImpl`, so `CstUtils`, `GrammarUtils` and the
 * LSP services treat them as their own.
 */
import { CompositeCstNodeImpl, LeafCstNodeImpl, type CstNode } from 'langium';

type Range = CstNode['range'];
type TokenType = LeafCstNodeImpl['tokenType'];

/** The fields of a leaf (Langium's, with four numbers instead of `_range`). */
export interface LeafFields {
  _hidden: boolean;
  _offset: number;
  _tokenType: TokenType;
  _length: number;
  _line: number;
  _character: number;
  _endLine: number;
  _endCharacter: number;
}

export interface LeafConstructor {
  new (
    offset: number,
    length: number,
    line: number,
    character: number,
    endLine: number,
    endCharacter: number,
    tokenType: TokenType,
    hidden: boolean,
  ): LeafCstNodeImpl & LeafFields;
}

/** The shared prototype: Langium's leaf, with `range` made on read. */
const LEAF_PROTOTYPE: object = Object.create(LeafCstNodeImpl.prototype, {
  range: {
    get(this: LeafFields): Range {
      return { start: { line: this._line, character: this._character }, end: { line: this._endLine, character: this._endCharacter } };
    },
    enumerable: false,
    configurable: true,
  },
});

/**
 * A leaf constructor of its own for each producer. V8 tracks field representations per
 * constructor: Langium's parser sometimes gives a leaf NaN positions (tokens it inserts while
 * recovering from an error), after which every number of that layout would be boxed; the
 * error-free fast parser gets a constructor whose numbers stay small integers.
 */
export function makeLeafConstructor(): LeafConstructor {
  const Leaf = function (
    this: LeafFields,
    offset: number,
    length: number,
    line: number,
    character: number,
    endLine: number,
    endCharacter: number,
    tokenType: TokenType,
    hidden: boolean,
  ): void {
    this._hidden = hidden;
    this._offset = offset;
    this._tokenType = tokenType;
    this._length = length;
    this._line = line;
    this._character = character;
    this._endLine = endLine;
    this._endCharacter = endCharacter;
  };
  (Leaf as unknown as { prototype: object }).prototype = LEAF_PROTOTYPE;
  return Leaf as unknown as LeafConstructor;
}

interface CompositeView {
  readonly firstNonHiddenNode: CstNode | undefined;
  readonly lastNonHiddenNode: CstNode | undefined;
}

/** The prototype of composite nodes: Langium's, with an uncached `range`. */
export const COMPOSITE_PROTOTYPE: object = Object.create(CompositeCstNodeImpl.prototype, {
  range: {
    get(this: CompositeView): Range {
      const first = this.firstNonHiddenNode;
      const last = this.lastNonHiddenNode;
      if (!first || !last) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const start = first.range.start;
      const end = last.range.end;
      // As Langium: a range never ends before it starts.
      return { start, end: end.line < start.line ? start : end };
    },
    enumerable: false,
    configurable: true,
  },
});

/** Shifts a leaf made by a `makeLeafConstructor` constructor. */
export function moveLeaf(leaf: LeafFields, dOffset: number, dLine: number): void {
  leaf._offset += dOffset;
  leaf._line += dLine;
  leaf._endLine += dLine;
}
