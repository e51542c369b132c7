/**
 * How the language server process is started: the Node options the extension (and the
 * benchmarks and retention test, to measure what users run) give it.
 */

/**
 * Semi-spaces of 64 MiB, so that a checked document usually dies in V8's young generation
 * instead of being promoted with every check (docs/adr/0003-a-closed-document-dies-young.md).
 */
export const SERVER_EXEC_ARGV: readonly string[] = [
  '--min-semi-space-size=64',
  '--max-semi-space-size=64',
  // V8 allocates objects of a site whose objects mostly survive (a document's AST and CST) in the
  // old generation, from where a removed document's objects keep the rest of it alive until a
  // full collection (docs/adr/0004-retire-the-fast-parser.md).
  '--no-allocation-site-pretenuring',
];
