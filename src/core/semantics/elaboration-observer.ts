/**
 * What an elaboration tells an observer besides its graph: where each block or cell instance,
 * each repeat and each statement began and ended, in node ids. The architecture views
 * (src/core/views) read the nesting from it; node scopes alone repeat (ResNet-50 has four
 * `Bottleneck/main/conv`, one per stage) and two unnamed calls of one block in a statement
 * share a scope.
 */
import type { AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import type { TensorValue, Value } from './values.js';

export interface ElaborationObserver {
  /** Block or cell `def` is applied at `site` to `inputs`; its nodes start at `firstNode`.
   * `values` are its parameters' values, in the order of its positional parameters. */
  enterInstance(
    def: ast.Definition,
    site: AstNode,
    repeatIndex: number | undefined,
    values: readonly Value[],
    inputs: readonly TensorValue[],
    firstNode: number,
    choiceDepth: number,
  ): void;
  /** The innermost open instance ended; its nodes end before `endNode`. `output` is undefined on error. */
  leaveInstance(endNode: number, output: TensorValue | undefined): void;
  /** A repeat (`Layer * n`, `repeat(Layer, n)`) of `count` applications starts at `firstNode`. */
  enterRepeat(site: AstNode, count: number, firstNode: number): void;
  leaveRepeat(endNode: number): void;
  /** A statement (a `let` too) ran, making nodes [first, end); `output` is its tensor's node or -1. */
  statement(stmt: ast.Statement, first: number, end: number, output: number): void;
}
