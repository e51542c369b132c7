/**
 * Lists written with literals only (`1..10000`, `16..512 step 16`, `[8, 16, 32]`) evaluate to
 * the same value in every elaboration, so each is built once and kept on its AST node. A
 * space's analysis elaborates once per option of every choice: rebuilding `choice(1..n)`'s
 * list in each run made probing it cost n² steps, and a choice of 10,000 values could not be
 * analysed within the budget although it needs 10,000 short runs.
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

const kept = new NodeSlot<ast.Expr, Value[]>('constant-list');
const keptPerDocument = new NodeSlot<AstNode, { elements: number }>('constant-list-elements');

function isLiteral(e: ast.Expr | undefined): boolean {
  return e?.$type === 'NumberLit' || e?.$type === 'StringLit' || e?.$type === 'BoolLit';
}

/** Whether `e` (a range, a range with a step, or a list) is made of literals only. */
export function isConstantList(e: ast.Expr): boolean {
  if (e.$type === 'ListLit') return e.items.every(isLiteral);
  if (e.$type !== 'BinaryExpr') return false;
  if (e.operator === '..') return isLiteral(e.left) && isLiteral(e.right);
  return (
    e.operator === 'step' &&
    isLiteral(e.right) &&
    e.left.$type === 'BinaryExpr' &&
    e.left.operator === '..' &&
    isLiteral(e.left.left) &&
    isLiteral(e.left.right)
  );
}

/** The list built for `e` by an earlier elaboration, if it was kept. */
export function keptList(e: ast.Expr): Value[] | undefined {
  return kept.get(e);
}

/** Keeps the list built for the constant list `e`, within its document's allowance; false if not kept. */
export function keepList(e: ast.Expr, list: Value[]): boolean {
  const root = AstUtils.findRootNode(e);
  const count = keptPerDocument.get(root) ?? { elements: 0 };
  if (count.elements + list.length > MAX_KEPT_ELEMENTS) return false;
  count.elements += list.length;
  keptPerDocument.set(root, count);
  Object.freeze(list);
  kept.set(e, list);
  return true;
}
