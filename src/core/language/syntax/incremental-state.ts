/**
 * What each parse changed, for the passes after it (docs/architecture.md, "Incremental
 * checking"). An edit re-parses only the top-level chunks whose text changed; every other
 * top-level element keeps its AST objects. Later passes reuse their work for kept elements
 * unless something they depend on changed: a top-level name that was added, removed or
 * redefined, the document's imports, or (for validation and elaboration) the fingerprint of a
 * definition they reference. The document factory records each parse here; the linker asks.
 */

/** Sequence numbers of parses, names changed by them, and the last link of each document. */
export class IncrementalState {
  private seq = 0;
  private readonly nameChanged = new Map<string, number>();
  private readonly importsChanged = new Map<string, number>();
  private readonly linked = new Map<string, number>();

  /** Records one parse of `uri`: the top-level names it changed and whether its imports did. */
  recordParse(uri: string, changedNames: Iterable<string>, importsChanged: boolean): void {
    const s = ++this.seq;
    for (const name of changedNames) this.nameChanged.set(name, s);
    if (importsChanged) this.importsChanged.set(uri, s);
  }

  /**
   * What linking `uri` now must redo for kept references: all of them when its imports changed
   * since its last link, otherwise those whose text is one of `changedNames`.
   */
  startLinking(uri: string): { relinkAll: boolean; changedNames: Set<string> } {
    const last = this.linked.get(uri) ?? -1;
    this.linked.set(uri, this.seq);
    const relinkAll = (this.importsChanged.get(uri) ?? -1) > last;
    const changedNames = new Set<string>();
    for (const [name, seq] of this.nameChanged) if (seq > last) changedNames.add(name);
    return { relinkAll, changedNames };
  }
}

const states = new WeakMap<object, IncrementalState>();

/** The state of one Langium shared-services instance (one workspace). */
export function incrementalStateOf(shared: object): IncrementalState {
  let s = states.get(shared);
  if (!s) {
    s = new IncrementalState();
    states.set(shared, s);
  }
  return s;
}
