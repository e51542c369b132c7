/**
 * A kernel-level profiler for synchronous backends (wasm, cpu): wraps every registered
 * kernel of the backend with a timer, so a training step's time splits into kernels and
 * everything else (tape bookkeeping, JS glue). tfjs' own `tf.profile` is async and records
 * every tensor, which perturbs a step far more than a timer.
 *
 * Time is this process's CPU time (`process.cpuUsage`, getrusage), not wall time, so that
 * a profile taken on a busy shared machine still splits the step correctly.
 */
import * as tf from '@tensorflow/tfjs-core';

/** CPU time of this process in milliseconds (user + system). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface KernelTiming {
  kernel: string;
  ms: number;
  calls: number;
}
export interface KernelProfiler {
  reset(): void;
  report(): KernelTiming[];
  uninstall(): void;
}

export function installKernelProfiler(backendName: string): KernelProfiler {
  const totals = new Map<string, { ms: number; calls: number }>();
  const originals: tf.KernelConfig[] = [];
  let depth = 0; // time only outermost kernels: composites call inner kernels directly
  for (const k of tf.getKernelsForBackend(backendName)) {
    originals.push(k);
    const inner = k.kernelFunc;
    const wrapped: tf.KernelFunc = (args) => {
      if (depth > 0) return inner(args);
      depth++;
      const t0 = cpuMs();
      try {
        return inner(args);
      } finally {
        const dt = cpuMs() - t0;
        depth--;
        const e = totals.get(k.kernelName) ?? { ms: 0, calls: 0 };
        e.ms += dt;
        e.calls++;
        totals.set(k.kernelName, e);
      }
    };
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({ ...k, kernelFunc: wrapped });
  }
  return {
    reset: () => totals.clear(),
    report: () => [...totals].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms),
    uninstall: () => {
      for (const k of originals) {
        tf.unregisterKernel(k.kernelName, backendName);
        tf.registerKernel(k);
      }
    },
  };
}
