/**
 * What the evaluator keeps per definition object: its signature, its recorded instances
 * (instance-memo.ts) and its interned attributes (attributes.ts), in one slot of the AST node
 * (util/node-slot.ts), read on every call. The slot lives and dies with the node.
 */
import type * as ast from '../../language/syntax/generated/ast.js';
import { NodeSlot } from '../../util/node-slot.js';
import { parseNumber } from '../numbers.js';
import type { Value } from '../values.js';
import type { AttrTable } from './attributes.js';
import type { InstanceTable } from './instance-table.js';

/**
 * What calls need to know of a definition's parameters and body, computed once per definition
 * object rather than on every call.
 */
export interface Signature {
  readonly positional: readonly ast.Param[];
  readonly variadic: ast.Param | undefined;
  /** Defaults that are literals, evaluated once (a default may refer to earlier parameters),
   * indexed like `positional` (arrays, not maps: a definition has a few parameters, and a
   * document keeps every signature alive). */
  readonly literalDefaults: ReadonlyArray<Value | undefined>;
  /** The `input a, b` statement of a block or cell body, if any. */
  readonly inputDecl: ast.InputStmt | undefined;
}

export interface DefinitionState {
  sig: Signature | undefined;
  instances: InstanceTable | undefined;
  attrs: AttrTable | undefined;
}

const evaluatorState = new NodeSlot<ast.Definition, DefinitionState>('evaluator state');

export function stateOf(def: ast.Definition): DefinitionState {
  let state = evaluatorState.get(def);
  if (state === undefined) {
    state = { sig: undefined, instances: undefined, attrs: undefined };
    evaluatorState.set(def, state);
  }
  return state;
}

export function signatureOf(def: ast.Definition): Signature {
  const state = stateOf(def);
  let sig = state.sig;
  if (!sig) {
    const positional: ast.Param[] = [];
    const literalDefaults: Array<Value | undefined> = [];
    let variadic: ast.Param | undefined;
    for (const p of def.params) {
      if (p.variadic) {
        variadic ??= p;
        continue;
      }
      positional.push(p);
      const d = p.default;
      let literal: Value | undefined;
      if (d?.$type === 'NumberLit') literal = parseNumber(d.value);
      else if (d?.$type === 'BoolLit') literal = d.value === 'true';
      else if (d?.$type === 'StringLit') literal = d.value;
      else if (d?.$type === 'Unary' && d.op === '-' && d.operand?.$type === 'NumberLit') literal = -parseNumber(d.operand.value);
      literalDefaults.push(literal);
    }
    const inputDecl = def.body.find((x): x is ast.InputStmt => x.$type === 'InputStmt' && x.names.length > 0);
    sig = { positional, variadic, literalDefaults, inputDecl };
    state.sig = sig;
  }
  return sig;
}
