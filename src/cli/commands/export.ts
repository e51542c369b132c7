/**
 * `nas export FILE [--network N | --arch ENCODING] --to FORMAT [--out FILE] [--force]`: a
 * network of a .nas file (or one architecture of a space) in another framework's terms; the
 * formats are export-formats.ts's table. `nas export --run DIR [--trial N | --best] --to
 * FORMAT`: an architecture a search evaluated (export-run.ts). Without --out the file goes to stdout. The output
 * path is checked before any work and written whole (output-file.ts).
 *
 * Exit codes: 0 written; 1 the .nas input has errors or the format cannot express the
 * network; 2 usage or I/O errors.
 */
import { Option, type Command } from 'commander';
import { ExportError } from '../../core/export/pytorch/index.js';
import { displayPath, UsageError } from '../load.js';
import { integerOption } from '../options.js';
import { runArchitecture } from './export-run.js';
import { checkOutputPath, writeWhole } from '../output-file.js';
import { EXPORT_FORMATS } from './export-formats.js';
import { resolveNetwork, TrainInputError } from './resolve-network.js';

interface ExportOptions {
  network?: string;
  arch?: string;
  run?: string;
  trial?: number;
  best?: boolean;
  to: string;
  out?: string;
  force?: boolean;
}

export function register(program: Command): void {
  program
    .command('export')
    .description(
      'write a network (or an architecture of a space, or of a search run) as code of another framework: ' + EXPORT_FORMATS.map((f) => f.name).join(', '),
    )
    .argument('[file]', '.nas file (omit with --run)')
    .option('--network <name>', 'the network (or, with --arch, the space) to export (default: the first network of FILE)')
    .option('--arch <encoding>', "an architecture of the file's space, by its encoding (nas sample FILE --json prints them)")
    .option('--run <dir>', 'a search run directory (nas search --out): export one of its architectures')
    .option('--trial <n>', 'with --run: the trial numbered N', integerOption('trial', 1, Number.MAX_SAFE_INTEGER))
    .option('--best', "with --run: the run's chosen architecture (the default)")
    .addOption(
      new Option('--to <format>', EXPORT_FORMATS.map((f) => `${f.name}: ${f.description}`).join('; '))
        .choices(EXPORT_FORMATS.map((f) => f.name))
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'the file to write (default: stdout)')
    .option('--force', 'overwrite --out if it exists')
    .action(async (file: string | undefined, opts: ExportOptions) => {
      const format = EXPORT_FORMATS.find((f) => f.name === opts.to)!;
      let source = file;
      let arch = opts.arch;
      let network = opts.network;
      let command: string;
      if (opts.run !== undefined) {
        if (file !== undefined || opts.arch !== undefined || opts.network !== undefined) {
          throw new UsageError('--run names the file and the architecture: it takes no FILE, --network or --arch');
        }
        if (opts.trial !== undefined && opts.best) throw new UsageError('--trial and --best name different architectures: give one');
        const r = await runArchitecture(opts.run, opts.trial);
        if (r.changed)
          process.stderr.write(
            `nas export: warning: ${displayPath(r.file)} changed since the run; exporting trial ${r.trial}'s encoding from the file as it is now\n`,
          );
        source = r.file;
        arch = r.encoding;
        network = r.space;
        command = `nas export --run ${displayPath(opts.run)} --trial ${r.trial} --to ${format.name}`;
      } else {
        if (opts.trial !== undefined || opts.best) throw new UsageError('--trial and --best go with --run DIR');
        if (file === undefined) throw new UsageError('nas export needs a .nas file (or --run DIR)');
        command = [
          'nas export',
          displayPath(file),
          ...(opts.network ? ['--network', opts.network] : []),
          ...(opts.arch ? ['--arch', `'${opts.arch}'`] : []),
          '--to',
          format.name,
        ].join(' ');
      }
      const out = opts.out === undefined ? undefined : checkOutputPath(source!, opts.out, !!opts.force);
      let resolved;
      try {
        resolved = await resolveNetwork(source!, { network, arch }, 'export');
      } catch (e) {
        if (!(e instanceof TrainInputError)) throw e;
        for (const l of e.lines) process.stderr.write(`${l}\n`);
        process.exitCode = 1;
        return;
      }
      if (format.needsArchitecture && !resolved.arch) {
        throw new UsageError(`--to ${format.name} writes an architecture of a space: name one with --arch ENCODING or --run DIR`);
      }
      let written;
      try {
        written = format.write(resolved, command);
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
