/**
 * Node options the client starts the language server with, shared by the extension and the
 * LSP benchmark (a file without imports, so the extension bundle takes nothing else from the
 * server). A 32 MiB young generation (Node 20's default is 16 MiB) halves the scavenges of a
 * re-check: didChange → publishDiagnostics p50 on a 200-line file went from 10.3 to 8.2 ms
 * (docs/benchmarks.md).
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=32'];
