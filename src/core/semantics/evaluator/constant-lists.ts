/**
 * Ranges (`1..n`, `16..512 step 16`) and lists of literals (`[8, 16, 32]`) evaluate to the same
 * list whenever their bounds are the same, so each is built once and kept on its AST node with
 * the bounds it was built for. A space's analysis elaborates once per option of every choice:
 * rebuilding `choice(1..n)`'s list in each run made probing it cost n² steps, and a choice of
 * 10,000 values could not be analysed within the budget although it needs 10,000 short runs.
 *
 * The lists kept for one document hold at most MAX_KEPT_ELEMENTS elements in all (they die
 * with the document); past that, lists are built per elaboration as before. Kept lists are
 * frozen: values are never changed in place.
 */
import { AstUtils, type AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { NodeSlot } from '../../util/node-slot.js';
import type { Value } from '../values.js';

/** Elements kept per document (8 bytes each: 16 MiB). */
export const MAX_KEPT_ELEMENTS = 2_000_000;

interface Kept {
  /** The range's start, end and step it was built for; empty for a list of literals. */
  readonly bounds: readonly number[];
  readonly list: Value[];
}

const kept = new NodeSlot<ast.Expr, Kept>('constant-list');
const keptPerDocument = new NodeSlot<AstNode, { elements: number }>('constant-list-elements');
const NO_BOUNDS: readonly number[] = [];

function isLiteral(e: ast.Expr | undefined): boolean {
  return e?.$type === 'NumberLit' || e?.$type === 'StringLit' || e?.$type === 'BoolLit';
}

/** Whether the list `[...]` is made of literals only. */
export function isConstantList(e: ast.ListLit): boolean {
  return e.items.every(isLiteral);
}

/** The list built for `e` (with these range bounds) by an earlier evaluation, if it was kept. */
export function keptList(e: ast.Expr, bounds: readonly number[] = NO_BOUNDS): Value[] | undefined {
  const k = kept.get(e);
  if (!k || k.bounds.length !== bounds.length) return undefined;
  for (let i = 0; i < bounds.length; i++) if (!Object.is(k.bounds[i], bounds[i])) return undefined;
  return k.list;
}

/**
 * Keeps the list built for `e`, within its document's allowance. True when it is the first
 * kept there (later evaluations will reuse it); false when not kept or when it replaces a list
 * built for other bounds (a range in a loop, rebuilt anyway).
 */
export function keepList(e: ast.Expr, list: Value[], bounds: readonly number[] = NO_BOUNDS): boolean {
  const root = AstUtils.findRootNode(e);
  const count = keptPerDocument.get(root) ?? { elements: 0 };
  const previous = kept.get(e);
  const replaced = previous?.list.length ?? 0;
  if (count.elements - replaced + list.length > MAX_KEPT_ELEMENTS) return false;
  count.elements += list.length - replaced;
  keptPerDocument.set(root, count);
  Object.freeze(list);
  kept.set(e, { bounds: [...bounds], list });
  return previous === undefined;
}
