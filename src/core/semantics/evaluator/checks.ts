/** Type checks of evaluated values: each fails with a diagnostic that says what was expected. */
import type { AstNode } from 'langium';
import { describeValue, isPoison, type Value } from '../values.js';
import { EvalError } from './errors.js';

/** Stops evaluating the current statement with a diagnostic at `node`. */
export function fail(node: AstNode, message: string, code: string, property?: string): never {
  throw new EvalError(message, node, code, property);
}

export function expectNumber(v: Value, node: AstNode, what: string): number {
  if (isPoison(v)) throw new EvalError('', node, 'poison');
  if (typeof v !== 'number') fail(node, `expected ${what}, found ${describeValue(v)}`, 'type-mismatch');
  return v;
}

export function expectInt(v: Value, node: AstNode, what: string): number {
  const n = expectNumber(v, node, what);
  if (!Number.isInteger(n)) fail(node, `expected ${what} (an integer), found ${n}`, 'type-mismatch');
  return n;
}

export function expectBool(v: Value, node: AstNode, what: string): boolean {
  if (typeof v !== 'boolean') fail(node, `expected ${what} to be true or false, found ${describeValue(v)}`, 'type-mismatch');
  return v;
}
