/** `nas check FILE... [--json]`: diagnostics; exit 0 without errors, 1 with errors, 2 on usage/I-O errors. */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles, sortDiagnostics } from '../load.js';

export function register(program: Command): void {
  program
    .command('check')
    .description('parse and validate .nas files; print diagnostics')
    .argument('<files...>', '.nas files')
    .option('--json', 'print an array of {file, range, severity, code, message, related?} (0-based LSP positions), sorted by file, line and column')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const loaded = await loadFiles(files);
      const diagnostics = sortDiagnostics(loaded.flatMap((l) => l.diagnostics));
      if (opts.json) process.stdout.write(JSON.stringify(diagnostics, null, 2) + '\n');
      else for (const d of diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
      process.exitCode = diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    });
}
