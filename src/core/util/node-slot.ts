/**
 * Data kept on an object under a symbol of its own: the replacement for a `WeakMap` from AST
 * nodes (or documents) to data that leads back to them (invariant 10 of docs/architecture.md).
 *
 * Why not a WeakMap: V8's young-generation collector (the scavenger) cannot see that a
 * WeakMap entry whose value reaches its own key is dead; it keeps the value, hence the key's
 * whole document, until the next full collection. The caches of the language core map a node
 * to its contents, references, links, diagnostics or elaboration, all of which reach the
 * node's document again, so a replaced or closed document would be promoted to the old
 * generation instead of dying young (docs/adr/0003-a-closed-document-dies-young.md). A
 * property of the node itself dies with the node.
 *
 * The property is non-enumerable, so object comparisons in tests and walks over own keys do
 * not see it. Owners must be the objects themselves, never the prototype of another owner (a
 * property is read through the prototype chain).
 */
export class NodeSlot<K extends object, V> {
  private readonly symbol: symbol;

  constructor(name: string) {
    this.symbol = Symbol(name);
  }

  get(owner: K): V | undefined {
    return (owner as Record<symbol, V | undefined>)[this.symbol];
  }

  set(owner: K, value: V): void {
    const o = owner as Record<symbol, V | undefined>;
    if (Object.hasOwn(o, this.symbol)) o[this.symbol] = value;
    else Object.defineProperty(o, this.symbol, { value, writable: true, enumerable: false, configurable: true });
  }
}
