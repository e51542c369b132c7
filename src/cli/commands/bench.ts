/**
 * `nas bench train`: training throughput of the engine on one of the reference networks of
 * bench/peers/torch_train_peer.py (built by the model builder from src/core/train/reference-nets-nas.ts), measured the way the
 * peer measures PyTorch: random images, SGD momentum 0.9, 2 warm-up steps, then timed steps.
 * With --json it prints the peer's fields, so the two outputs compare line for line:
 *   {"engine":"tfjs-4.22.0","backend":"wasm","net":"small","params":14746,"batch":64,"threads":1,"images_per_s":...}
 * The backend ladder's one-line report goes to stderr.
 *
 * `nas bench fuse FILE`: inference time of a network's training-time form against its fused
 * deployment form (`nas fuse`), in alternating pairs (src/core/reparam/inference-bench.ts).
 *
 * Exit codes: 0 measured; 1 the .nas input has errors or nothing to fuse; 2 usage errors or an
 * unavailable forced backend.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, REFERENCE_NET_NAMES, type BackendName } from '../../core/train/names';
import { displayPath } from '../load.js';
import { planFusion } from '../../core/reparam/fusion-plan.js';
import { deployName, loadFusion } from './fuse-load.js';

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

function atLeast(flag: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}`);
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
  bench
    .command('fuse')
    .description('inference time of a network before and after fusing its RepVGG/ACNet/DBB/MobileOne blocks, in alternating pairs')
    .argument('<file>', '.nas file')
    .option('--network <name>', 'the network (default: the one that uses training-time blocks)')
    .option('--batch <n>', 'images per forward pass', positiveInt('--batch'), 1)
    .option('--pairs <n>', 'timed pairs (at least 3), after 2 warm-up passes of each form', atLeast('--pairs', 3), 5)
    .addOption(new Option('--backend <name>', 'force a backend').choices([...BACKEND_NAMES]))
    .option('--json', 'one JSON object: backend, batch, each pair, medians (docs/cli.md)')
    .action(async (file: string, opts: { network?: string; batch: number; pairs: number; backend?: BackendName; json?: boolean }) => {
      const loaded = await loadFusion(file, opts.network, deployName(file));
      if (typeof loaded === 'number') {
        process.exitCode = loaded;
        return;
      }
      const plan = planFusion({ result: loaded.before, def: loaded.network }, { result: loaded.after, def: loaded.deployDef });
      // The training engine (tfjs) loads only now.
      const { runBenchFuse } = await import('./bench-fuse-run.js');
      process.exitCode = await runBenchFuse(plan, displayPath(file), opts, {
        out: (line) => process.stdout.write(line + '\n'),
        err: (line) => process.stderr.write(line + '\n'),
      });
    });
}
