/**
 * A version per top-level element that changes whenever the linker resolves one of its
 * references anew, so that the references index rebuilds that element's entries only
 * (nas-reference-description-provider.ts).
 */
import type { AstNode } from 'langium';

const linkVersions = new WeakMap<AstNode, number>();
let nextLinkVersion = 1;

/** Marks that some reference inside `element` was resolved anew (its targets may differ). */
export function noteRelinked(element: AstNode): void {
  linkVersions.set(element, nextLinkVersion++);
}

/** Changes whenever `noteRelinked(element)` is called; 0 before the first link. */
export function linkVersionOf(element: AstNode): number {
  return linkVersions.get(element) ?? 0;
}
