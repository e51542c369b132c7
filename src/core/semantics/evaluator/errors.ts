/**
 * How elaboration fails: an `EvalError` becomes one diagnostic and a poison value (caught per
 * statement, so one error does not hide the next); an `ElaborationLimit` stops the whole
 * elaboration. The limits bound any input's elaboration in time and memory.
 */
import type { AstNode } from 'langium';

export const MAX_CALL_DEPTH = 64;
/** A bound on work, so that any input elaborates in bounded time (about a second). */
export const MAX_WORK = 3_000_000;
/** A bound on the graph, for the same reason (elaboration makes about 250,000 nodes a second;
 * the largest reference network, ResNet-50, has a few hundred). */
export const MAX_NODES = 100_000;
/** Options of one choice (a `choice` list or the subsets of a `choose`): beyond it a space's
 * analysis, which elaborates every option, could not finish, and option counts stay exact. */
export const MAX_CHOICE_OPTIONS = 100_000;

export class EvalError extends Error {
  constructor(
    message: string,
    readonly node: AstNode,
    readonly code: string,
    readonly property?: string,
  ) {
    super(message);
  }
}

/**
 * A global limit (work, graph size) was reached: the whole elaboration stops. Other errors are
 * caught per statement so that one does not hide the next; this one must not be, or a repeat
 * of 21e9 layers would hit the limit again on every repeat (the fuzz test found that hang).
 */
export class ElaborationLimit extends EvalError {
  constructor(
    message: string,
    node: AstNode,
    /** Where it happened, for reporting it at a call site in the checked document. */
    readonly callStack: readonly AstNode[],
  ) {
    super(message, node, 'too-large');
  }
}

/** The limit error for more than MAX_WORK evaluation steps, at `node`. */
export function workLimit(node: AstNode, callStack: readonly AstNode[]): ElaborationLimit {
  return new ElaborationLimit(
    `elaboration stopped after ${MAX_WORK.toLocaleString('en-US')} evaluation steps: the network is too large or loops`,
    node,
    callStack,
  );
}

/** The limit error for more than MAX_NODES graph nodes, at `node`. */
export function nodeLimit(node: AstNode, callStack: readonly AstNode[]): ElaborationLimit {
  return new ElaborationLimit(`the network has more than ${MAX_NODES.toLocaleString('en-US')} nodes`, node, callStack);
}
