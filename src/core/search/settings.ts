/**
 * Strategy and evaluator settings as written in a `search` block (`strategy nsga2(population =
 * 40)`): their constant values and their check against the vocabulary's schemas. Shared by the
 * editor's checks and the engine, so that what the editor accepts is what runs.
 */
import type { AstNode } from 'langium';
import type * as ast from '../language/syntax/generated/ast.js';
import { parseNumber } from '../semantics/numbers.js';
import type { SettingKind, SettingSpec, SettingValue } from './vocabulary.js';

export interface SettingProblem {
  readonly node: AstNode;
  readonly message: string;
  readonly code: 'unknown-setting' | 'setting-value';
}

export type ConstValue = number | string | boolean | ConstValue[];

/** The value of a constant expression (literals, lists, unary minus, arithmetic), or undefined. */
export function constantValue(e: ast.Expr | undefined): ConstValue | undefined {
  if (!e) return undefined;
  switch (e.$type) {
    case 'NumberLit':
      return parseNumber((e as ast.NumberLit).value);
    case 'StringLit': {
      const v = (e as ast.StringLit).value;
      return v.length >= 2 && (v[0] === '"' || v[0] === "'") ? v.slice(1, -1) : v;
    }
    case 'BoolLit':
      return (e as ast.BoolLit).value === 'true';
    case 'ListLit': {
      const items = (e as ast.ListLit).items.map(constantValue);
      return items.every((x) => x !== undefined) ? (items as ConstValue[]) : undefined;
    }
    case 'Paren':
      return constantValue((e as ast.Paren).inner);
    case 'Unary': {
      const u = e as ast.Unary;
      const v = constantValue(u.operand);
      if (u.op === '-' && typeof v === 'number') return -v;
      if (u.op === 'not' && typeof v === 'boolean') return !v;
      return undefined;
    }
    case 'BinaryExpr': {
      const b = e as ast.BinaryExpr;
      const l = constantValue(b.left);
      const r = constantValue(b.right);
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
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

export function describeKind(k: SettingKind): string {
  switch (k.type) {
    case 'int':
      return k.max === undefined ? `an integer >= ${k.min}` : `an integer in ${k.min}..${k.max}`;
    case 'number': {
      const parts: string[] = [];
      if (k.above !== undefined) parts.push(`> ${k.above}`);
      if (k.min !== undefined) parts.push(`>= ${k.min}`);
      if (k.max !== undefined) parts.push(`<= ${k.max}`);
      return parts.length ? `a number ${parts.join(' and ')}` : 'a number';
    }
    case 'string':
      return `one of ${k.values.map((v) => `"${v}"`).join(', ')}`;
    case 'bool':
      return '`true` or `false`';
    case 'numbers':
      return 'a list of numbers, one per objective';
    case 'text':
      return 'a non-empty string';
    case 'ints':
      return `an ascending list of integers >= ${k.min}`;
  }
}

/** Checks one value against its kind. */
function checkValue(spec: SettingSpec, v: ConstValue | undefined): { value: SettingValue } | { error: string } {
  const k = spec.kind;
  const bad = `\`${spec.name}\` must be ${describeKind(k)}`;
  if (v === undefined) return { error: `${bad} (a constant)` };
  const ok = (): boolean => {
    switch (k.type) {
      case 'int':
        return typeof v === 'number' && Number.isInteger(v) && v >= k.min && (k.max === undefined || v <= k.max);
      case 'number':
        return (
          typeof v === 'number' &&
          Number.isFinite(v) &&
          (k.above === undefined || v > k.above) &&
          (k.min === undefined || v >= k.min) &&
          (k.max === undefined || v <= k.max)
        );
      case 'string':
        return typeof v === 'string' && k.values.includes(v);
      case 'bool':
        return typeof v === 'boolean';
      case 'numbers':
        return Array.isArray(v) && v.every((x) => typeof x === 'number');
      case 'text':
        return typeof v === 'string' && v.length > 0;
      case 'ints':
        return (
          Array.isArray(v) &&
          v.length > 0 &&
          v.every((x, i) => typeof x === 'number' && Number.isInteger(x) && x >= k.min && (i === 0 || x > (v[i - 1] as number)))
        );
    }
  };
  return ok() ? { value: v as SettingValue } : { error: `${bad}, found ${show(v)}` };
}

function show(v: ConstValue): string {
  return typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v);
}

export interface ReadSettings {
  /** Every setting of the schema: the written value or the default (absent when neither). */
  readonly values: Record<string, SettingValue>;
  readonly problems: SettingProblem[];
}

/**
 * Reads `args` against `schema`: unknown names, positional arguments, duplicates and bad
 * values are problems naming what is allowed; valid values override the defaults.
 */
export function readSettings(owner: string, schema: readonly SettingSpec[], args: readonly ast.Arg[], at: AstNode): ReadSettings {
  const values: Record<string, SettingValue> = {};
  for (const s of schema) if (s.default !== undefined) values[s.name] = s.default;
  const problems: SettingProblem[] = [];
  const allowed = schema.length ? schema.map((s) => s.name).join(', ') : 'none';
  const seen = new Set<string>();
  for (const arg of args) {
    if (!arg.name) {
      problems.push({ node: arg ?? at, message: `${owner} takes named settings (\`name = value\`); settings: ${allowed}`, code: 'unknown-setting' });
      continue;
    }
    const spec = schema.find((s) => s.name === arg.name);
    if (!spec) {
      problems.push({ node: arg, message: `${owner} has no setting \`${arg.name}\` (settings: ${allowed})`, code: 'unknown-setting' });
      continue;
    }
    if (seen.has(arg.name)) {
      problems.push({ node: arg, message: `setting \`${arg.name}\` is given twice`, code: 'setting-value' });
      continue;
    }
    seen.add(arg.name);
    const v = checkValue(spec, constantValue(arg.value));
    if ('error' in v) problems.push({ node: arg.value ?? arg, message: v.error, code: 'setting-value' });
    else values[spec.name] = v.value;
  }
  return { values, problems };
}
