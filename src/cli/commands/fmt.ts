/**
 * `nas fmt FILE... [--check]`: print the canonical form (docs/dsl.md, "Canonical form"), or
 * rewrite files with --write. A file with syntax errors is left as it is (exit 1): the printer
 * never loses text it does not understand.
 */
import type { Command } from 'commander';
import { formatDiagnostic, loadFiles } from '../load.js';
import { formatDocument } from '../../core/format/formatter.js';
import { writeWhole } from '../write-whole.js';

export function register(program: Command): void {
  program
    .command('fmt')
    .description('format .nas files canonically')
    .argument('<files...>', '.nas files')
    .option('--write', 'rewrite the files in place')
    .option('--check', 'exit 1 when a file is not in canonical form (prints nothing else)')
    .action(async (files: string[], opts: { write?: boolean; check?: boolean }) => {
      const loaded = await loadFiles(files);
      let status = 0;
      for (const l of loaded) {
        const syntax = l.diagnostics.filter((d) => d.code === 'syntax');
        if (syntax.length) {
          for (const d of syntax) process.stderr.write(formatDiagnostic(d) + '\n');
          status = 1;
          continue;
        }
        const text = l.doc.textDocument.getText();
        const formatted = formatDocument(l.root, text);
        if (opts.check) {
          if (formatted !== text) {
            process.stdout.write(`${l.file}\n`);
            status = 1;
          }
        } else if (opts.write) {
          // Whole or not at all, keeping the file's mode: the source is never half written.
          if (formatted !== text) writeWhole(l.file, formatted);
        } else process.stdout.write(formatted);
      }
      process.exitCode = status;
    });
}
