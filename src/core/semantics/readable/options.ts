/**
 * The names a reader writes a decision's options by: an option's label
 * (`choice(none: zero, skip_connect: identity)`), else a rendering of it when that is short and
 * unambiguous: a number, string or list as written or evaluated (`3`, `0.25`, `[608, 800]`), a
 * name (`identity`, `h0`), a call's callee when no other option calls it (`FPN(256, head)` is
 * `FPN`). An option without a name is written by its position (from 0) when no option of the
 * choice is named by a number. `choose(k, list)` decides a k-subset of the list's elements.
 */
import type { AstNode } from 'langium';
import type * as ast from '../../language/syntax/generated/ast.js';
import { binomial } from '../evaluator/combinatorics.js';
import { parseNumber } from '../numbers.js';
import { isDefinitionValue, type Value } from '../values.js';

export interface OptionNames {
  /** A name per option, '' where an option has none. */
  readonly names: readonly string[];
  /** `choose(k, list)`: the decision is a k-subset of these elements (named as options are). */
  readonly subset?: { readonly k: number; readonly elements: readonly string[] };
  /** The options are tensors named in the text (`choice(h0, h1)`, `choose`): an input decision. */
  readonly input: boolean;
}

export function optionNamesOf(site: AstNode, options: number, values: readonly Value[] | undefined): OptionNames {
  const call = site.$type === 'Call' ? (site as ast.Call) : undefined;
  const callee = call?.callee.$type === 'Ref' ? (call.callee as ast.Ref).target.$refText : undefined;
  const positional = call ? call.args.filter((a) => !a.name) : [];
  if (callee === 'choose' && values) {
    const list = call!.args.find((a) => a.name === 'options') ?? positional[1];
    const kArg = call!.args.find((a) => a.name === 'k') ?? positional[0];
    const k = kArg ? Number(evaluatedK(kArg.value, values.length, options)) : 0;
    const elements = uniqueNames(namesOf(list?.value, values));
    return { names: [], subset: { k, elements }, input: true };
  }
  if (positional.length === 1) {
    // choice(list): the list's elements, as written when it is a list literal, else evaluated.
    const names = uniqueNames(namesOf(positional[0]!.value, values ?? []));
    return { names: padded(names, options), input: false };
  }
  const names = positional.map((a) => a.label ?? renderExpr(a.value));
  const callees = positional.map((a) => (a.label ? undefined : calleeName(a.value)));
  for (let i = 0; i < names.length; i++) {
    const c = callees[i];
    if (names[i] === '' && c && callees.filter((x) => x === c).length === 1) names[i] = c;
  }
  const input = positional.length > 0 && positional.every((a) => isTensorName(a.value));
  return { names: padded(uniqueNames(names), options), input };
}

/** k of choose(k, list): the number of options is C(n, k), so k is read back from it when not literal. */
function evaluatedK(expr: ast.Expr, n: number, combos: number): number {
  if (expr.$type === 'NumberLit') return parseNumber((expr as ast.NumberLit).value);
  for (let k = 1; k <= n; k++) if (binomial(n, k) === combos) return k;
  return 0;
}

function namesOf(expr: ast.Expr | undefined, values: readonly Value[]): string[] {
  if (expr?.$type === 'ListLit') return (expr as ast.ListLit).items.map((item, i) => renderExpr(item) || renderValue(values[i]));
  return values.map(renderValue);
}

function padded(names: string[], n: number): string[] {
  while (names.length < n) names.push('');
  return names.slice(0, n);
}

/** Names that occur once; '' for the others (they are written by position). */
function uniqueNames(names: string[]): string[] {
  const count = new Map<string, number>();
  for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  return names.map((n) => (count.get(n) === 1 ? n : ''));
}

/** A short rendering of an option expression a reader can write back, or ''. */
export function renderExpr(e: ast.Expr | undefined): string {
  if (!e) return '';
  switch (e.$type) {
    case 'NumberLit':
      return formatNumber(parseNumber((e as ast.NumberLit).value));
    case 'StringLit':
      return JSON.stringify((e as ast.StringLit).value);
    case 'BoolLit':
      return (e as ast.BoolLit).value;
    case 'Ref':
      return (e as ast.Ref).target.$refText;
    case 'Paren':
      return renderExpr((e as ast.Paren).inner);
    case 'Unary': {
      const u = e as ast.Unary;
      return u.op === '-' && u.operand.$type === 'NumberLit' ? formatNumber(-parseNumber((u.operand as ast.NumberLit).value)) : '';
    }
    case 'ListLit': {
      const items = (e as ast.ListLit).items.map(renderExpr);
      return items.every((x) => x !== '') ? `[${items.join(', ')}]` : '';
    }
    default:
      return '';
  }
}

export function renderValue(v: Value | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    const items = v.map(renderValue);
    return items.every((x) => x !== '') ? `[${items.join(', ')}]` : '';
  }
  return isDefinitionValue(v) ? v.definition.name : '';
}

/** Numbers as JavaScript prints them (`0.25`, `1e-7`): one text per value. */
export function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : '';
}

function calleeName(e: ast.Expr): string | undefined {
  while (e.$type === 'Paren') e = (e as ast.Paren).inner;
  if (e.$type !== 'Call') return undefined;
  const callee = (e as ast.Call).callee;
  return callee.$type === 'Ref' ? (callee as ast.Ref).target.$refText : undefined;
}

/** A reference to a tensor named in the definition (an input, a node, a `let`). */
function isTensorName(e: ast.Expr): boolean {
  if (e.$type !== 'Ref') return false;
  const t = (e as ast.Ref).target.ref;
  return t?.$type === 'InputName' || t?.$type === 'Node' || (t?.$type === 'Let' && t.$container.$type !== 'Document');
}
