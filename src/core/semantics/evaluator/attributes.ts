/**
 * One attribute object per op and attribute values, shared by every node that has them (they
 * are never changed): a network applies a few distinct convolutions thousands of times, and an
 * object per application would be kept alive by its node. Frozen, so that a change would throw.
 */
import type * as ast from '../../language/syntax/generated/ast.js';
import type { AttrValue, Attrs } from '../ops.js';
import type { Value } from '../values.js';
import { signatureOf, stateOf } from './definition-state.js';
import { flatHash, isPlainValue, sameValues, valuesKey } from './value-keys.js';

export interface AttrTable {
  /** Attribute lists of numbers, booleans and strings, by a hash of their values (no key
   * string to build and hash). */
  readonly byHash: Map<number, AttrEntry>;
  /** Lists with list values, by their key text. */
  readonly byKey: Map<string, Attrs>;
  size: number;
}
interface AttrEntry {
  readonly values: readonly Value[];
  readonly attrs: Attrs;
  readonly next: AttrEntry | undefined;
}
const MAX_ATTRS_PER_OP = 4096;

/** The attributes of op `def` bound to `values` (indexed like its signature's `positional`). */
export function internAttrs(def: ast.Definition, values: readonly Value[]): Attrs {
  const state = stateOf(def);
  let table = state.attrs;
  if (!table) {
    table = { byHash: new Map(), byKey: new Map(), size: 0 };
    state.attrs = table;
  }
  const hash = flatHash(values);
  if (hash !== undefined) {
    const first = table.byHash.get(hash);
    for (let e = first; e !== undefined; e = e.next) if (sameValues(e.values, values)) return e.attrs;
    const attrs = Object.freeze(makeAttrs(def, values));
    if (table.size < MAX_ATTRS_PER_OP) {
      table.byHash.set(hash, { values, attrs, next: first });
      table.size++;
    }
    return attrs;
  }
  // Only plain values: a shared attribute object outlives the document, and must not hold its
  // definitions.
  const key = values.every(isPlainValue) ? valuesKey(values) : undefined;
  if (key === undefined) return makeAttrs(def, values);
  let attrs = table.byKey.get(key);
  if (!attrs) {
    attrs = Object.freeze(makeAttrs(def, values));
    if (table.size < MAX_ATTRS_PER_OP) {
      table.byKey.set(key, attrs);
      table.size++;
    }
  }
  return attrs;
}

function makeAttrs(def: ast.Definition, values: readonly Value[]): Attrs {
  const attrs: Attrs = {};
  // Declaration order, so printing can put the leading attribute first.
  const positional = signatureOf(def).positional;
  for (let i = 0; i < positional.length; i++) attrs[positional[i]!.name] = values[i] as AttrValue;
  return attrs;
}
