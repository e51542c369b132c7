/**
 * The operators on plain values (docs/dsl.md, "Expressions"): arithmetic with tidy decimals,
 * floor division and a modulo that takes the divisor's sign (as Python's), comparisons,
 * equality of lists and tensors, `+` of lists and strings. What operators do with tensors and
 * layers (`+` of two tensors, `layer * n`, `->`) is the interpreter's.
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { isTensor, type Value } from '../values.js';
import { expectNumber, fail } from './checks.js';

/** Keeps decimal arithmetic tidy (0.1*3 = 0.3) without hiding real differences. */
export function roundFloat(x: number): number {
  return Math.abs(x - Math.round(x)) < 1e-9 ? Math.round(x) : Number(x.toPrecision(12));
}

export function valueEquals(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valueEquals(x, b[i]!));
  if (isTensor(a) && isTensor(b)) return a.node === b.node;
  return a === b;
}

function num(node: AstNode, v: Value): number {
  return expectNumber(v, node, 'a number');
}

function divisor(e: ast.BinaryExpr, r: Value): number {
  const d = num(e.right, r);
  if (d === 0) fail(e.right, 'division by zero', 'division-by-zero');
  return d;
}

/** `l op r` of `e` on evaluated plain values; a value of the wrong kind is an error at its side. */
export function applyOperator(e: ast.BinaryExpr, l: Value, r: Value): Value {
  switch (e.operator) {
    case '+':
      if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      return num(e.left, l) + num(e.right, r);
    case '*':
      return roundFloat(num(e.left, l) * num(e.right, r));
    case '-':
      return roundFloat(num(e.left, l) - num(e.right, r));
    case '/': {
      const d = divisor(e, r);
      return roundFloat(num(e.left, l) / d);
    }
    case '//': {
      const d = divisor(e, r);
      return Math.floor(num(e.left, l) / d);
    }
    case '%': {
      const d = divisor(e, r);
      const a = num(e.left, l);
      return ((a % d) + d) % d;
    }
    case '==':
      return valueEquals(l, r);
    case '!=':
      return !valueEquals(l, r);
    case '<':
      return num(e.left, l) < num(e.right, r);
    case '<=':
      return num(e.left, l) <= num(e.right, r);
    case '>':
      return num(e.left, l) > num(e.right, r);
    case '>=':
      return num(e.left, l) >= num(e.right, r);
  }
  fail(e, `unknown operator ${e.operator}`, 'syntax');
}
