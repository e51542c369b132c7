/**
 * Fingerprints of top-level elements for the incremental passes (docs/adr/0002-chunked-incremental-checking.md). An element's fingerprint changes when the element is parsed again
 * (its AST objects are new) or when the fingerprint of any top-level element it references,
 * directly or transitively, changes. Validation results and elaborations are kept per element
 * while its fingerprint stays the same. The linker records each element's dependencies.
 */
import type { AstNode } from 'langium';
import { NodeSlot } from '../util/node-slot.js';

const dependencies = new NodeSlot<AstNode, readonly AstNode[]>('dependencies');
const ids = new NodeSlot<AstNode, number>('element id');
let nextId = 1;
/** Bumped whenever any dependency list changes: cached fingerprints are from one generation. */
let generation = 0;

/**
 * An element's fingerprint in one generation: two 32-bit hashes of its id and its
 * dependencies' fingerprints, and their text (made when first asked for). Numbers, not the
 * dependencies' texts sorted and joined: a check computes every element's fingerprint again
 * after linking, and string sorting and hashing were 3 ms of a 5,000-line check.
 */
interface Fingerprint {
  readonly generation: number;
  readonly id: number;
  readonly h1: number;
  readonly h2: number;
  text: string | undefined;
}
const memo = new NodeSlot<AstNode, Fingerprint>('fingerprint');

export function recordDependencies(element: AstNode, targets: readonly AstNode[]): void {
  const old = dependencies.get(element);
  if (old && old.length === targets.length && old.every((t, i) => t === targets[i])) return;
  dependencies.set(element, targets);
  generation++;
}

function idOf(node: AstNode): number {
  let id = ids.get(node);
  if (id === undefined) {
    id = nextId++;
    ids.set(node, id);
  }
  return id;
}

/**
 * A string that is equal for two calls exactly when neither the element nor anything it
 * depends on was re-parsed or re-linked to other targets in between (up to a 64-bit hash
 * collision). Cycles (recursion, which validation rejects) are cut: an element on the current
 * path contributes its id only.
 */
export function fingerprintOf(element: AstNode): string {
  // Most calls hit the memo (every block application asks): no path set for them.
  let f = memo.get(element);
  if (!f || f.generation !== generation) f = fingerprint(element, undefined);
  f.text ??= f.h1 === 0 && f.h2 === 0 ? `${f.id}` : `${f.id}(${(f.h1 >>> 0).toString(36)}.${(f.h2 >>> 0).toString(36)})`;
  return f.text;
}

/** Leaves (no dependencies) hash to 0, 0: their text is their id, as before any dependency. */
function fingerprint(element: AstNode, onPath: Set<AstNode> | undefined): Fingerprint {
  const hit = memo.get(element);
  if (hit && hit.generation === generation) return hit;
  const id = idOf(element);
  const deps = dependencies.get(element);
  if (!deps || deps.length === 0) {
    const leaf: Fingerprint = { generation, id, h1: 0, h2: 0, text: undefined };
    memo.set(element, leaf);
    return leaf;
  }
  const path = onPath ?? new Set<AstNode>();
  path.add(element);
  // Order-independent: the sum and the xor of the dependencies' mixed hashes.
  let sum = 0;
  let xor = 0;
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    let a: number;
    let b: number;
    if (path.has(d)) {
      a = mix(idOf(d), 0x9e3779b1);
      b = mix(idOf(d), 0x85ebca77);
    } else {
      const f = fingerprint(d, path);
      a = mix(mix(f.id, f.h1), 0x9e3779b1);
      b = mix(mix(f.id, f.h2), 0x85ebca77);
    }
    sum = (sum + a) | 0;
    xor ^= b;
  }
  path.delete(element);
  const f: Fingerprint = { generation, id, h1: mix(sum, deps.length) | 1, h2: mix(xor, id), text: undefined };
  memo.set(element, f);
  return f;
}

/** A 32-bit mix of two numbers (murmur3's finalizer over their combination). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0xcc9e2d51), 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
