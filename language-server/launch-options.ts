/**
 * Node options the client starts the language server with, shared by the extension and the
 * benchmarks (a file without imports, so the extension bundle takes nothing else from the
 * server).
 *
 * Semi-spaces (the two halves of the young generation) of 64 MiB from the start; Node 20's
 * grow from 1 to 16 MiB. A check allocates ~28 MB and keeps ~7 MB (the document), so with the
 * default the document outlived two scavenges and was promoted to the old generation, one
 * fresh page (a page fault) per 4 KiB, during the check itself. With 64 MiB a scavenge comes
 * about every other check, and a replaced document dies young, provided nothing keeps it alive
 * for the scavenger (docs/architecture.md, "A closed document dies young"). From-scratch check
 * of the 5,000-line file: 1,700 → 10 page faults, collector pauses 25 → 3 ms a check. Cost:
 * about 45 MB more resident memory (docs/benchmarks.md, "Sixth session").
 */
export const SERVER_EXEC_ARGV: readonly string[] = [
  '--min-semi-space-size=64',
  '--max-semi-space-size=64',
  // V8 allocates objects of a site whose objects mostly survive (a document's AST and CST) in the
  // old generation, from where a removed document's objects keep the rest of it alive until a
  // full collection (docs/adr/0004-retire-the-fast-parser.md).
  '--no-allocation-site-pretenuring',
];
