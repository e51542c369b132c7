/**
 * Hashes and keys of argument values, by which attribute objects are interned
 * (attributes.ts) and block instances are found again (instance-memo.ts).
 */
import { fingerprintOf } from '../dependencies.js';
import { isDefinitionValue, type Value } from '../values.js';

/** A hash of a list of numbers, booleans and strings (FNV-1a over 32-bit words); undefined for
 * any other value. Equal lists (by `Object.is`) have equal hashes. */
export function flatHash(values: readonly Value[]): number | undefined {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let x: number;
    if (typeof v === 'number') x = (v | 0) === v ? v | 0 : Number.isFinite(v) ? Math.imul((v * 4096) | 0, 0x9e3779b1) ^ ((v / 4096) | 0) : 0x7ff;
    else if (typeof v === 'boolean') x = v ? 0x55555555 : 0x2aaaaaaa;
    else if (typeof v === 'string') {
      x = v.length;
      for (let k = 0; k < v.length; k++) x = Math.imul(x ^ v.charCodeAt(k), 0x01000193);
    } else return undefined;
    h = Math.imul(h ^ x, 0x01000193);
  }
  return h;
}

export function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * A key for an argument value: a number, string, boolean, reference to a definition (`act =
 * relu6`: the definition's identity and fingerprint), or a list of them; undefined for
 * anything else (tensors, layers built by expressions), whose effect a key cannot capture.
 */
function valueKey(v: Value): string | undefined {
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean':
      return v ? 'T' : 'F';
    case 'string':
      return JSON.stringify(v);
  }
  if (isDefinitionValue(v)) return `<${fingerprintOf(v.definition)}>`;
  if (!Array.isArray(v)) return undefined;
  const items = valuesKey(v);
  return items === undefined ? undefined : `[${items}]`;
}

/** A number, string, boolean or list of them. */
export function isPlainValue(v: Value): boolean {
  return typeof v !== 'object' || (Array.isArray(v) && v.every(isPlainValue));
}

/** The keys of a list of values, each followed by a comma; undefined if one has none. */
export function valuesKey(values: readonly Value[]): string | undefined {
  let key = '';
  for (const v of values) {
    const k = valueKey(v);
    if (k === undefined) return undefined;
    key += k;
    key += ',';
  }
  return key;
}
