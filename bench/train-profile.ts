/**
 * Kernel-level profile of one training step of a reference network (issue 4): which
 * kernels a step spends its time in, and how much goes to everything else (autodiff tape,
 * JS glue). Times are this process's CPU time, so the split holds on a busy machine.
 *
 *   node --import tsx bench/train-profile.ts [--net nb201] [--steps 3] [--backend wasm] [--batch 64] [--winograd auto|never]
 *
 * `--winograd never` keeps the wasm backend's 3×3 convolutions on the direct kernel (A/B runs).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { isBackendName, selectBackend } from '../src/core/train/backend';
import { cpuMs, installKernelProfiler } from '../src/core/train/kernel-profile';
import { isReferenceNetName } from '../src/core/train/names';
import { buildReferenceNetFromNas } from '../src/core/train/reference-nets-nas';
import { setWinogradMode } from '../src/core/train/wasm-kernels/winograd-conv';
import { createSgdStep } from '../src/core/train/step';

async function main(argv: string[]): Promise<number> {
  const arg = (name: string, dflt: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
  };
  const net = arg('--net', 'nb201'),
    backend = arg('--backend', 'wasm');
  const steps = Number(arg('--steps', '3')),
    batch = Number(arg('--batch', '64'));
  const winograd = arg('--winograd', 'auto');
  if (!isReferenceNetName(net) || !isBackendName(backend) || (winograd !== 'auto' && winograd !== 'never')) {
    process.stderr.write('usage: train-profile [--net small|nb201|mbconv] [--steps N] [--batch N] [--backend NAME] [--winograd auto|never]\n');
    return 2;
  }
  setWinogradMode(winograd);
  const sel = await selectBackend({ force: backend, log: (l) => process.stderr.write(l + '\n') });
  const prof = installKernelProfiler(sel.tfBackend);
  const model = await buildReferenceNetFromNas(net);
  const step = createSgdStep(model, { momentum: 0.9, weightDecay: 0, labelSmoothing: 0 });
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomUniformInt([batch], 0, 10, 2) as tf.Tensor1D;
  for (let i = 0; i < 2; i++) step.run(x, y, 0.01);
  prof.reset();
  const c0 = cpuMs(),
    w0 = performance.now();
  for (let i = 0; i < steps; i++) step.run(x, y, 0.01);
  const cpu = (cpuMs() - c0) / steps,
    wall = (performance.now() - w0) / steps;
  const rows = prof.report();
  const kernels = rows.reduce((a, r) => a + r.ms, 0) / steps;
  const line = (name: string, ms: number, calls: string) =>
    `${name.padEnd(36)} ${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / cpu).toFixed(1).padStart(6)} %  ${calls}`;
  process.stdout.write(
    `${net}, batch ${batch}, backend ${sel.backend}: ${cpu.toFixed(1)} ms CPU per step (${wall.toFixed(1)} ms wall), ${((batch * 1000) / cpu).toFixed(1)} images per CPU-second\n`,
  );
  for (const r of rows.filter((r) => r.ms / steps >= (0.05 * cpu) / 100)) process.stdout.write(line(r.kernel, r.ms / steps, `${r.calls / steps} calls`) + '\n');
  process.stdout.write(line('(other: tape, JS glue, SGD bookkeeping)', cpu - kernels, '') + '\n');
  // Forward pass alone (training-mode batch norm, no tape): the arithmetic PyTorch's forward
  // does too, so its time bounds what any backward-kernel work can reach.
  prof.reset();
  const f0 = cpuMs();
  for (let i = 0; i < steps; i++)
    tf.tidy(() => {
      model.forward(x, true).dataSync();
    });
  const fwd = (cpuMs() - f0) / steps;
  const conv =
    prof
      .report()
      .filter((r) => r.kernel === 'Conv2D')
      .reduce((a, r) => a + r.ms, 0) / steps;
  process.stdout.write(`forward only: ${fwd.toFixed(1)} ms CPU per batch, of which Conv2D ${conv.toFixed(1)} ms\n`);
  step.dispose();
  model.dispose();
  tf.dispose([x, y]);
  prof.uninstall();
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
