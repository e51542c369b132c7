/**
 * `nas bench train`: training throughput of the engine on one of the reference networks of
 * bench/peers/torch_train_peer.py (built by the model builder from src/core/train/reference-nets-nas.ts), measured the way the
 * peer measures PyTorch: random images, SGD momentum 0.9, 2 warm-up steps, then timed steps.
 * With --json it prints the peer's fields, so the two outputs compare line for line:
 *   {"engine":"tfjs-4.22.0","backend":"wasm","net":"small","params":14746,"batch":64,"threads":1,"images_per_s":...}
 * The backend ladder's one-line report goes to stderr.
 *
 * Exit codes: 0 measured; 2 usage errors or an unavailable forced backend.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, REFERENCE_NET_NAMES } from '../../core/train/names';

export interface BenchTrainOptions {
  net: string;
  batch: number;
  threads: number;
  steps: number;
  backend?: string;
  json?: boolean;
}
export interface BenchIo {
  out(line: string): void;
  err(line: string): void;
}

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be an integer ≥ 1`);
    return n;
  };
}

export function register(program: Command): void {
  const bench = program.command('bench').description('benchmarks of the engine');
  bench
    .command('train')
    .description('training images/s of a reference network (same networks and method as the PyTorch peer)')
    .addOption(new Option('--net <name>', 'reference network').choices([...REFERENCE_NET_NAMES]).default('small'))
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 64)
    .option('--threads <n>', 'threads (native backends; wasm in Node runs on one)', positiveInt('--threads'), 1)
    .option('--steps <n>', 'timed steps after 2 warm-up steps', positiveInt('--steps'), 20)
    .addOption(new Option('--backend <name>', 'force a backend').choices([...BACKEND_NAMES]))
    .option('--json', "one JSON object with the peer's fields")
    .action(async (raw: BenchTrainOptions) => {
      // The training engine (tfjs) loads only now: other commands start without it.
      const { runBenchTrain } = await import('./bench-run.js');
      process.exitCode = await runBenchTrain(raw, {
        out: (line) => process.stdout.write(line + '\n'),
        err: (line) => process.stderr.write(line + '\n'),
      });
    });
}
