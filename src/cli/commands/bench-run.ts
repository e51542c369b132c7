/**
 * `nas bench train`'s work (src/cli/commands/bench.ts declares the command): a module of its
 * own, so that only this command loads the training engine.
 */
import { BACKEND_NAMES, BackendUnavailableError, isBackendName } from '../../core/train/backend';
import { benchmarkTraining, type TrainBenchResult } from '../../core/train/benchmark';
import { REFERENCE_NET_NAMES, isReferenceNetName } from '../../core/train/names';
import type { BenchIo, BenchTrainOptions } from './bench.js';

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
