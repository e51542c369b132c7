/**
 * `nas bench train`: training throughput of the engine on one of the reference networks of
 * shared/peers/torch_train_peer.py (src/core/train/reference-nets.ts), measured the way the
 * peer measures PyTorch: random images, SGD momentum 0.9, 2 warm-up steps, then timed steps.
 * With --json it prints the peer's fields, so the two outputs compare line for line:
 *   {"engine":"tfjs-4.22.0","backend":"wasm","net":"small","params":14746,"batch":64,"threads":1,"images_per_s":...}
 * The backend ladder's one-line report goes to stderr.
 *
 * Exit codes: 0 measured; 2 usage errors or an unavailable forced backend.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, BackendUnavailableError, isBackendName } from '../../core/train/backend';
import { benchmarkTraining, type TrainBenchResult } from '../../core/train/benchmark';
import { REFERENCE_NET_NAMES, isReferenceNetName } from '../../core/train/reference-nets';

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

export function formatBenchResult(r: TrainBenchResult): string {
  return `${r.engine} ${r.backend} ${r.net} params=${r.params} batch=${r.batch} threads=${r.threads} images/s=${r.images_per_s.toFixed(1)}`;
}

/** Runs the benchmark and prints it; returns the exit code. */
export async function runBenchTrain(opts: BenchTrainOptions, io: BenchIo): Promise<number> {
  if (!isReferenceNetName(opts.net)) {
    io.err(`nas bench train: unknown --net '${opts.net}' (expected ${REFERENCE_NET_NAMES.join(', ')})`);
    return 2;
  }
  if (opts.backend !== undefined && !isBackendName(opts.backend)) {
    io.err(`nas bench train: unknown --backend '${opts.backend}' (expected ${BACKEND_NAMES.join(', ')})`);
    return 2;
  }
  try {
    const m = await benchmarkTraining({ net: opts.net, batch: opts.batch, steps: opts.steps, threads: opts.threads, backend: opts.backend, log: io.err });
    // Exactly the peer's fields, so the two JSON lines compare field by field.
    const r: TrainBenchResult = {
      engine: m.engine,
      backend: m.backend,
      net: m.net,
      params: m.params,
      batch: m.batch,
      threads: m.threads,
      images_per_s: m.images_per_s,
    };
    io.out(opts.json ? JSON.stringify(r) : formatBenchResult(r));
    return 0;
  } catch (e) {
    if (e instanceof BackendUnavailableError) {
      io.err(`nas bench train: ${e.message}`);
      return 2;
    }
    throw e;
  }
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
      process.exitCode = await runBenchTrain(raw, {
        out: (line) => process.stdout.write(line + '\n'),
        err: (line) => process.stderr.write(line + '\n'),
      });
    });
}
