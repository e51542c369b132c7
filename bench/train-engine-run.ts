/**
 * One engine measurement in a process of its own (bench/train-bench.ts runs it, alternating
 * with the PyTorch peer, so that each side's peak memory is its own):
 *   node --import tsx bench/train-engine-run.ts NET BATCH STEPS BACKEND
 * prints the measurement as one JSON line (src/core/train/benchmark.ts).
 */
import { benchmarkTraining } from '../src/core/train/benchmark';
import { isBackendName, isReferenceNetName } from '../src/core/train/names';

const [net, batch, steps, backend] = process.argv.slice(2);
if (!net || !isReferenceNetName(net) || !backend || !isBackendName(backend)) {
  process.stderr.write('usage: train-engine-run NET BATCH STEPS BACKEND\n');
  process.exit(2);
}
const m = await benchmarkTraining({ net, batch: Number(batch), steps: Number(steps), threads: 1, backend, log: () => undefined });
process.stdout.write(JSON.stringify(m) + '\n');
