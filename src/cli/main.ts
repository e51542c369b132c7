/**
 * The `nas` command line: everything the editor does, headless. Exit codes: 0 success,
 * 1 the input has errors (or the job failed), 2 usage or I/O errors — never a stack trace
 * for a user error, and no other exit code.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from './load.js';
import { printable } from './printable.js';
import { SourceFileError } from '../core/source-files.js';
import { SpaceAnalysisError } from '../core/semantics/space.js';
import { describeSystemError } from './system-errors.js';
import { register as registerCheck } from './commands/check.js';
import { register as registerCost } from './commands/cost.js';
import { register as registerSample } from './commands/sample.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerFmt } from './commands/fmt.js';
import { register as registerFuse } from './commands/fuse.js';
import { register as registerSearch } from './commands/search.js';
import { register as registerProxy } from './commands/proxy.js';
import { register as registerExport } from './commands/export.js';
import { PRODUCT_VERSION } from './version.js';
import { register as registerGraph } from './commands/graph.js';

export function createProgram(): Command {
  const program = new Command();
  program
    .name('nas')
    .description('NAS Studio: check, cost, sample and search neural-network architectures in .nas files')
    .version(PRODUCT_VERSION)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  registerCheck(program);
  registerCost(program);
  registerSample(program);
  registerSearch(program);
  registerProxy(program);
  registerTrain(program);
  registerBench(program);
  registerFmt(program);
  registerFuse(program);
  registerExport(program);
  registerGraph(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; any other commander error is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`nas: ${printable(e.message)}\n`);
      return 2;
    }
    if (e instanceof SourceFileError) {
      process.stderr.write(`nas: cannot read ${printable(e.path)}: ${printable(e.reason)}\n`);
      return 2;
    }
    // A space too large to analyse within the limits: the job failed, for a stated reason.
    if (e instanceof SpaceAnalysisError) {
      process.stderr.write(`nas: ${printable(e.message)}\n`);
      return 1;
    }
    // A file the command could not read or write, named with what was wrong: an I/O error.
    const io = describeSystemError(e);
    if (io) {
      process.stderr.write(`nas: ${printable(io)}\n`);
      return 2;
    }
    // Sizes from the command line too large to allocate (`--widths 100000,100000`).
    if (e instanceof RangeError && /Invalid typed array length|Array buffer allocation failed|Invalid array length/.test(e.message)) {
      process.stderr.write(`nas: the sizes asked for need more memory than can be allocated (${printable(e.message)}); choose smaller sizes\n`);
      return 2;
    }
    // A bug: the job failed (1), with what the user needs to report it.
    process.stderr.write(`nas: internal error: ${printable((e as Error).message)}\n(please report this with the input that caused it)\n`);
    if (process.env['NAS_DEBUG']) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}

/** Entry point of bin/nas.cjs. */
export function main(): void {
  // `nas sample ... | head`: the reader went away; stop quietly, as other tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
