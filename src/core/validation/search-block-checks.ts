/**
 * Checks of a `search` block's structure that the engine's reading of it (search/spec.ts:
 * setting values, budget values, seed) leaves: each metric is an objective once, a constraint's
 * bound is finite and can be met by a metric that is never negative, and no budget setting is
 * given twice. Without these, `constraint macs <= -1` or a repeated objective checked clean.
 */
import type { AstNode, ValidationAcceptor } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { constantValue, type ConstValue } from '../search/settings.js';
import { KNOWN_METRICS } from '../search/vocabulary.js';

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
  const v: ConstValue | undefined = constantValue(c.value);
  // Not a number: the engine's reading reports it (search/spec.ts).
  if (typeof v !== 'number') return;
  const at = { node: c.value as AstNode, code: 'setting-value' };
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

/** A budget setting given twice (the engine would take the last silently). */
function checkBudget(b: ast.BudgetItem, accept: ValidationAcceptor): void {
  const seen = new Set<string>();
  for (const a of b.args) {
    if (!a.name) continue;
    if (seen.has(a.name)) accept('error', `\`${a.name}\` is given twice`, { node: a, property: 'name', code: 'duplicate-attribute' });
    seen.add(a.name);
    const v = constantValue(a.value);
    if (a.name === 'seconds' && v === Infinity)
      accept('error', `\`seconds\` must be a finite number, found ${sourceOf(a.value, v)}`, { node: a.value, code: 'setting-value' });
  }
}

export function checkSearchBlock(s: ast.Search, accept: ValidationAcceptor): void {
  checkObjectives(s, accept);
  for (const item of s.items) {
    if (item.$type === 'ConstraintItem') checkConstraint(item, accept);
    else if (item.$type === 'BudgetItem') checkBudget(item, accept);
  }
}
