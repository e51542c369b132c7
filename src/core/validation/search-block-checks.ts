/**
 * Checks of a `search` block's structure that need no search engine: objectives named once,
 * constraints that compare a metric with a number it can take, budgets that are finite and in
 * range. (Strategy and evaluator settings are checked against the engine's own vocabulary.)
 * Without these, `budget 1e400`, `constraint macs <= -1` or a repeated objective checked clean.
 */
import type { AstNode, ValidationAcceptor } from 'langium';
import type * as ast from '../language/generated/ast.js';
import { parseNumber } from '../semantics/numbers.js';
import { KNOWN_METRICS } from './search-vocabulary.js';

type Constant = number | string | boolean | undefined;

/** The value of a constant expression (literals, signs, brackets, arithmetic), else undefined. */
export function constantOf(e: ast.Expr | undefined): Constant {
  if (!e) return undefined;
  switch (e.$type) {
    case 'NumberLit':
      return parseNumber((e as ast.NumberLit).value);
    case 'StringLit':
      return (e as ast.StringLit).value;
    case 'BoolLit':
      return (e as ast.BoolLit).value === 'true';
    case 'Paren':
      return constantOf((e as ast.Paren).inner);
    case 'Unary': {
      const u = e as ast.Unary;
      const v = constantOf(u.operand);
      return u.op === '-' && typeof v === 'number' ? -v : undefined;
    }
    case 'BinaryExpr': {
      const b = e as ast.BinaryExpr;
      const l = constantOf(b.left);
      const r = constantOf(b.right);
      if (typeof l !== 'number' || typeof r !== 'number') return undefined;
      switch (b.operator) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? undefined : l / r;
      }
      return undefined;
    }
  }
  return undefined;
}

function describe(v: Constant): string {
  return typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : `\`${String(v)}\``;
}

/** As written (`1e400`), for a value that is not what was written (Infinity). */
function sourceOf(e: ast.Expr, v: number): string {
  return e.$cstNode?.text ?? String(v);
}

function checkObjectives(s: ast.Search, accept: ValidationAcceptor): void {
  const seen = new Map<string, ast.ObjectiveItem>();
  for (const item of s.items) {
    if (item.$type !== 'ObjectiveItem' || !item.metric) continue;
    const first = seen.get(item.metric);
    if (!first) {
      seen.set(item.metric, item);
      continue;
    }
    const message =
      first.direction === item.direction
        ? `\`${item.metric}\` is already an objective of search ${s.name}: each metric is an objective once`
        : `search ${s.name} cannot both ${first.direction} and ${item.direction} \`${item.metric}\``;
    accept('error', message, { node: item, property: 'metric', code: 'duplicate-objective' });
  }
}

/** Whether `metric op bound` can hold for some value >= 0, and whether it holds for all. */
function satisfiable(op: string, bound: number): { some: boolean; all: boolean } {
  switch (op) {
    case '<=':
      return { some: bound >= 0, all: false };
    case '<':
      return { some: bound > 0, all: false };
    case '>=':
      return { some: true, all: bound <= 0 };
    case '>':
      return { some: true, all: bound < 0 };
    case '==':
      return { some: bound >= 0, all: false };
    case '!=':
      return { some: true, all: bound < 0 };
  }
  return { some: true, all: false };
}

function checkConstraint(c: ast.ConstraintItem, accept: ValidationAcceptor): void {
  if (!c.metric || !c.value) return;
  const v = constantOf(c.value);
  if (v === undefined) return; // not a constant here: the search reads it when it runs
  const at = { node: c.value as AstNode, code: 'setting-value' };
  if (typeof v !== 'number') {
    accept('error', `a constraint compares \`${c.metric}\` with a number (\`constraint macs <= 300M\`), found ${describe(v)}`, at);
    return;
  }
  if (!Number.isFinite(v)) {
    accept('error', `the bound of \`${c.metric}\` is not a finite number (found ${sourceOf(c.value, v)})`, at);
    return;
  }
  // Every metric of the vocabulary is a count, a cost, a rate or a loss: none is negative.
  if (!KNOWN_METRICS.has(c.metric)) return;
  const { some, all } = satisfiable(c.op, v);
  if (!some) accept('error', `\`${c.metric} ${c.op} ${v}\` can never be met: \`${c.metric}\` is never negative`, at);
  else if (all) accept('warning', `\`${c.metric} ${c.op} ${v}\` always holds: \`${c.metric}\` is never negative`, at);
}

function checkCount(value: ast.Expr, what: string, integer: boolean, accept: ValidationAcceptor): void {
  const v = constantOf(value);
  if (v === undefined) return;
  const at = { node: value as AstNode, code: 'setting-value' };
  if (typeof v !== 'number') accept('error', `${what} is a number, found ${describe(v)}`, at);
  else if (!Number.isFinite(v)) accept('error', `${what} must be a finite number, found ${sourceOf(value, v)}`, at);
  else if (integer && !(Number.isInteger(v) && v >= 1)) accept('error', `${what} must be an integer >= 1, found ${v}`, at);
  else if (!integer && !(v > 0)) accept('error', `${what} must be positive, found ${v}`, at);
}

function checkBudget(b: ast.BudgetItem, accept: ValidationAcceptor): void {
  if (b.value) {
    checkCount(b.value, 'the budget (a number of evaluations)', true, accept);
    return;
  }
  const seen = new Set<string>();
  for (const a of b.args) {
    if (!a.name) {
      accept('error', 'name the budget: `budget(queries = 100, seconds = 3600)`, or write `budget 100`', { node: a, code: 'unknown-setting' });
      continue;
    }
    if (seen.has(a.name)) accept('error', `\`${a.name}\` is given twice`, { node: a, property: 'name', code: 'duplicate-attribute' });
    seen.add(a.name);
    if (a.name === 'queries') checkCount(a.value, '`queries` (evaluations)', true, accept);
    else if (a.name === 'seconds') checkCount(a.value, '`seconds`', false, accept);
    else accept('error', `the budget takes \`queries\` and \`seconds\`, not \`${a.name}\``, { node: a, property: 'name', code: 'unknown-setting' });
  }
}

export function checkSearchBlock(s: ast.Search, accept: ValidationAcceptor): void {
  checkObjectives(s, accept);
  for (const item of s.items) {
    if (item.$type === 'ConstraintItem') checkConstraint(item, accept);
    else if (item.$type === 'BudgetItem') checkBudget(item, accept);
  }
}
