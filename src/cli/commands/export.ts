/**
 * `nas export FILE [--network N | --arch ENCODING] --to FORMAT [--out FILE] [--force]`: a
 * network of a .nas file (or one architecture of a space) in another framework's terms; the
 * formats are export-formats.ts's table. Without --out the file goes to stdout. The output
 * path is checked before any work and written whole (output-file.ts).
 *
 * Exit codes: 0 written; 1 the .nas input has errors or the format cannot express the
 * network; 2 usage or I/O errors.
 */
import { Option, type Command } from 'commander';
import { ExportError } from '../../core/export/pytorch/index.js';
import { displayPath } from '../load.js';
import { checkOutputPath, writeWhole } from '../output-file.js';
import { EXPORT_FORMATS } from './export-formats.js';
import { resolveNetwork, TrainInputError } from './resolve-network.js';

interface ExportOptions {
  network?: string;
  arch?: string;
  to: string;
  out?: string;
  force?: boolean;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write a network (or an architecture of a space) as code of another framework: ' + EXPORT_FORMATS.map((f) => f.name).join(', '))
    .argument('<file>', '.nas file')
    .option('--network <name>', 'the network (or, with --arch, the space) to export (default: the first network of FILE)')
    .option('--arch <encoding>', "an architecture of the file's space, by its encoding (nas sample FILE --json prints them)")
    .addOption(
      new Option('--to <format>', EXPORT_FORMATS.map((f) => `${f.name}: ${f.description}`).join('; '))
        .choices(EXPORT_FORMATS.map((f) => f.name))
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'the file to write (default: stdout)')
    .option('--force', 'overwrite --out if it exists')
    .action(async (file: string, opts: ExportOptions) => {
      const format = EXPORT_FORMATS.find((f) => f.name === opts.to)!;
      const out = opts.out === undefined ? undefined : checkOutputPath(file, opts.out, !!opts.force);
      let network;
      try {
        network = await resolveNetwork(file, opts, 'export');
      } catch (e) {
        if (!(e instanceof TrainInputError)) throw e;
        for (const l of e.lines) process.stderr.write(`${l}\n`);
        process.exitCode = 1;
        return;
      }
      const command = [
        'nas export',
        displayPath(file),
        ...(opts.network ? ['--network', opts.network] : []),
        ...(opts.arch ? ['--arch', `'${opts.arch}'`] : []),
        '--to',
        format.name,
      ].join(' ');
      let written;
      try {
        written = format.write(network, command);
      } catch (e) {
        if (!(e instanceof ExportError)) throw e;
        process.stderr.write(`nas export: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      if (out === undefined) {
        process.stdout.write(written.content);
        return;
      }
      writeWhole(out, written.content);
      process.stderr.write(`wrote ${displayPath(out)}: ${written.summary}\n`);
    });
}
