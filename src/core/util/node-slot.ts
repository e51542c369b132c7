/**
 * Data kept on an object under a symbol of its own: the replacement for a `WeakMap` from AST
 * nodes (or documents) to data that leads back to them (docs/architecture.md, "A closed
 * document dies young").
 *
 * Why not a WeakMap: V8's young-generation collector (the scavenger) cannot see that a
 * WeakMap entry whose value reaches its own key is dead; it keeps the value, hence the key's
 * whole document, until the next full collection. The caches of the language core map a node
 * to its contents, references, links, diagnostics or elaboration, all of which reach the
 * node's document again, so every replaced or closed document was copied by the next
 * scavenges and promoted to the old generation, whose fresh pages cost a page fault each
 * (docs/benchmarks.md, "Sixth session": with these slots and the language server's young
 * generation, a from-scratch check of the 5,000-line file promotes 0.1 MB instead of 5 MB and
 * takes 10 page faults instead of 1,700). A property of the node itself dies with the node.
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
