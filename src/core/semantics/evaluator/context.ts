/**
 * Where an expression is evaluated: the variables in scope (`Frame`), and the context of the
 * call it belongs to (`EvalContext`: instance path for choice keys, readable scope, call and
 * choice stacks, the innermost body), with the sequence helpers every layer application uses.
 */
import type { AstNode } from 'langium';
import type { TensorValue, Value } from '../values.js';
import type { InstancePath } from './choice-keys.js';

export interface EvalContext {
  /** Instance path for choice keys. */
  readonly path: InstancePath | undefined;
  /** Readable scope for graph node names. */
  readonly scope: string;
  /** Call sites from the outermost inwards, for mapping positions and recursion limits. */
  readonly callStack: readonly AstNode[];
  /** Keys of the choices whose selected option is being evaluated or applied. */
  readonly choiceStack: readonly string[];
  readonly repeatIndex?: number;
  /** Tensors created by the statements of the innermost body (for `loose_ends()`). */
  readonly body?: BodyState;
}

export interface BodyState {
  readonly created: TensorValue[];
  readonly inputs: readonly TensorValue[];
}

/** The context of a network's own body, or of a declaration's defaults: no call around it. */
export function outermostContext(): EvalContext {
  return { path: undefined, scope: '', callStack: [], choiceStack: [], repeatIndex: undefined, body: undefined };
}

/**
 * A context like `ctx` with the given fields, always built with the same property order: object
 * spreads of contexts of varying shapes were a tenth of the elaboration time.
 */
export function withContext(
  ctx: EvalContext,
  path: InstancePath | undefined,
  scope: string,
  choiceStack: readonly string[],
  repeatIndex: number | undefined,
  body: BodyState | undefined,
): EvalContext {
  return { path, scope, callStack: ctx.callStack, choiceStack, repeatIndex, body };
}

/** The variables of one body (lets, nodes, parameters, loop variables), over its parent's. */
export class Frame {
  private readonly vars = new Map<AstNode, Value>();
  constructor(readonly parent?: Frame) {}
  get(node: AstNode): Value | undefined {
    const v = this.vars.get(node);
    if (v !== undefined) return v;
    return this.parent?.get(node);
  }
  set(node: AstNode, v: Value): void {
    this.vars.set(node, v);
  }
}

/** `scope/name`, or `name` at the top. */
export function join(scope: string, name: string): string {
  return scope ? `${scope}/${name}` : name;
}

/** The last k tensors of a sequence, padded with the earliest when there are fewer. */
export function lastK(history: readonly TensorValue[], k: number): readonly TensorValue[] {
  if (history.length >= k) return history.slice(history.length - k);
  return padInputs(history, k);
}

/** `ts` padded to `k` tensors with its first; `ts` itself when long enough (inputs are never changed). */
export function padInputs(ts: readonly TensorValue[], k: number): readonly TensorValue[] {
  if (ts.length >= k) return ts;
  const out = [...ts];
  while (out.length < k) out.unshift(ts[0]!);
  return out;
}
