/**
 * Fingerprints of top-level elements for the incremental passes (docs/architecture.md,
 * "Incremental checking"). An element's fingerprint changes when the element is parsed again
 * (its AST objects are new) or when the fingerprint of any top-level element it references,
 * directly or transitively, changes. Validation results and elaborations are kept per element
 * while its fingerprint stays the same. The linker records each element's dependencies.
 */
import type { AstNode } from 'langium';

const dependencies = new WeakMap<AstNode, readonly AstNode[]>();
const ids = new WeakMap<AstNode, number>();
let nextId = 1;
/** Bumped whenever any dependency list changes: cached fingerprints are from one generation. */
let generation = 0;
const memo = new WeakMap<AstNode, { generation: number; fingerprint: string }>();

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
 * depends on was re-parsed or re-linked to other targets in between. Cycles (recursion, which
 * validation rejects) are cut: an element on the current path contributes its id only.
 */
export function fingerprintOf(element: AstNode): string {
  // Most calls hit the memo (every block application asks): no path set for them.
  const hit = memo.get(element);
  if (hit && hit.generation === generation) return hit.fingerprint;
  return fingerprint(element, new Set());
}

function fingerprint(element: AstNode, onPath: Set<AstNode>): string {
  const hit = memo.get(element);
  if (hit && hit.generation === generation) return hit.fingerprint;
  const id = idOf(element);
  if (onPath.has(element)) return `${id}`;
  onPath.add(element);
  const deps = dependencies.get(element) ?? [];
  const parts = deps.map((d) => fingerprint(d, onPath)).sort();
  onPath.delete(element);
  const fp = parts.length === 0 ? `${id}` : `${id}(${hashParts(parts)})`;
  memo.set(element, { generation, fingerprint: fp });
  return fp;
}

/** Two 32-bit FNV-1a style hashes of the dependency fingerprints (no unbounded string growth). */
function hashParts(parts: string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822519);
    }
    h1 = Math.imul(h1 ^ 44, 16777619);
    h2 = Math.imul(h2 ^ 44, 2246822519);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}
