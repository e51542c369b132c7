/** Run-time values of the .nas expression language. */
import type { Definition } from '../language/syntax/generated/ast.js';
import type { Shape } from './shape.js';
import type { EvalContext } from './evaluator/index.js';

/** The output of a graph node. */
export interface TensorValue {
  readonly kind: 'tensor';
  readonly node: number;
  readonly shape: Shape;
}

/**
 * A function from tensors to a tensor: an op with its attributes bound, a block or cell
 * call, a composition (`a -> b`) or a repetition (`b * 3`). `arity` is how many of the most
 * recent tensors of a sequence it takes (a NASNet/DARTS cell takes h(i-2), h(i-1)).
 */
export interface LayerValue {
  readonly kind: 'layer';
  readonly arity: number;
  readonly label: string;
  /** True for cells: their choices are a genotype shared by every instance. */
  readonly sharesChoices: boolean;
  apply(inputs: readonly TensorValue[], ctx: EvalContext): Value;
}

/** An unapplied reference to a definition (`bn`, `Bottleneck`). */
export interface DefinitionValue {
  readonly kind: 'definition';
  readonly definition: Definition;
}

/** The result of an expression that failed: it propagates without further diagnostics. */
export interface PoisonValue {
  readonly kind: 'poison';
}

export type Value = number | boolean | string | Value[] | TensorValue | LayerValue | DefinitionValue | PoisonValue;

export const POISON: PoisonValue = { kind: 'poison' };

export function isTensor(v: Value): v is TensorValue {
  return typeof v === 'object' && !Array.isArray(v) && v.kind === 'tensor';
}
export function isLayer(v: Value): v is LayerValue {
  return typeof v === 'object' && !Array.isArray(v) && v.kind === 'layer';
}
export function isPoison(v: Value): v is PoisonValue {
  return typeof v === 'object' && !Array.isArray(v) && v.kind === 'poison';
}
export function isDefinitionValue(v: Value): v is DefinitionValue {
  return typeof v === 'object' && !Array.isArray(v) && v.kind === 'definition';
}

export function describeValue(v: Value): string {
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'string') return 'a string';
  if (Array.isArray(v)) return 'a list';
  switch (v.kind) {
    case 'tensor':
      return 'a tensor';
    case 'layer':
      return `a layer (${v.label})`;
    case 'definition':
      return `${v.definition.kind} ${v.definition.name}`;
    default:
      return 'an error';
  }
}
