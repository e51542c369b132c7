/**
 * `nas bench fuse`'s work (src/cli/commands/bench.ts declares the command), loaded with the
 * training engine (dist/cli-train.cjs): both forms of a network built by the model builder, the
 * deployment form with the training form's weights fused (default initialisation: the values
 * do not change the work), timed in alternating pairs (src/core/reparam/inference-bench.ts).
 */
import { BackendUnavailableError, selectBackend, type BackendName } from '../../core/train/backend';
import { buildModel } from '../../core/train/model-builder/index';
import { fuseWeights } from '../../core/reparam/fuse-weights';
import { assignTensors, readTensors } from '../../core/reparam/verify';
import { benchFusion } from '../../core/reparam/inference-bench';
import type { FusionPlan } from '../../core/reparam/fusion-plan';
import type { BenchFuseJson } from '../json-types';

export interface BenchFuseOptions {
  batch: number;
  pairs: number;
  backend?: BackendName;
  json?: boolean;
}

export async function runBenchFuse(
  plan: FusionPlan,
  file: string,
  opts: BenchFuseOptions,
  io: { out(line: string): void; err(line: string): void },
): Promise<number> {
  let backend: string;
  try {
    backend = (await selectBackend({ force: opts.backend, log: io.err })).backend;
  } catch (e) {
    if (e instanceof BackendUnavailableError) {
      io.err(`nas bench fuse: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const unfused = buildModel(plan.train, { seed: 0 });
  const fused = buildModel(plan.deploy);
  try {
    assignTensors(fused, fuseWeights(plan.train, plan.deploy, plan.match, readTensors(unfused)).tensors);
    const r = await benchFusion(unfused, fused, {
      batch: opts.batch,
      pairs: opts.pairs,
      onPair: (p, i) =>
        opts.json ||
        io.err(
          `pair ${i + 1}/${opts.pairs}: multi-branch ${p.unfused.ms.toFixed(1)} ms, fused ${p.fused.ms.toFixed(1)} ms, ${p.speedup.toFixed(3)}x (CPU ${p.cpuSpeedup.toFixed(3)}x)`,
        ),
    });
    const json: BenchFuseJson = {
      network: plan.train.name,
      file,
      backend,
      batch: r.batch,
      pairs: r.pairs.map((p) => ({
        unfusedMs: p.unfused.ms,
        fusedMs: p.fused.ms,
        unfusedCpuMs: p.unfused.cpuMs,
        fusedCpuMs: p.fused.cpuMs,
        unfusedFirst: p.unfusedFirst,
        speedup: p.speedup,
        cpuSpeedup: p.cpuSpeedup,
      })),
      unfusedMs: r.unfusedMs,
      fusedMs: r.fusedMs,
      speedup: r.speedup,
      cpuSpeedup: r.cpuSpeedup,
    };
    if (opts.json) io.out(JSON.stringify(json));
    else
      io.out(
        `${json.network} (${backend}, batch ${json.batch}, median of ${json.pairs.length} alternating pairs): ` +
          `multi-branch ${json.unfusedMs.toFixed(1)} ms, fused ${json.fusedMs.toFixed(1)} ms, speedup ${json.speedup.toFixed(3)}x (CPU time ${json.cpuSpeedup.toFixed(3)}x)`,
      );
    return 0;
  } finally {
    unfused.dispose();
    fused.dispose();
  }
}
