/**
 * The `nas` command line: everything the editor does, headless. Exit codes: 0 success,
 * 1 the input has errors (or the job failed), 2 usage or I/O errors — never a stack trace
 * for a user error.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from './load.js';
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
      process.stderr.write(`nas: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`nas: internal error: ${(e as Error).message}\n(please report this with the input that caused it)\n`);
    if (process.env['NAS_DEBUG']) process.stderr.write(`${(e as Error).stack}\n`);
    return 70;
  }
}

/** Entry point of bin/nas.cjs. */
export function main(): void {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
