/**
 * The backend ladder of the training engine.
 *
 *   node-gpu (@tensorflow/tfjs-node-gpu, needs its native binding and a CUDA GPU)
 *   → node   (@tensorflow/tfjs-node, native libtensorflow on the CPU)
 *   → wasm   (@tensorflow/tfjs-backend-wasm, XNNPACK; made trainable by ./wasm-kernels)
 *   → cpu    (@tensorflow/tfjs-backend-cpu, pure JavaScript; always available)
 *
 * Both native packages are optionalDependencies: their install scripts download
 * libtensorflow, which fails on machines without that access, and npm then simply leaves
 * them out. The ladder therefore probes each rung at run time and reports, once, which
 * backend runs and why each rung above it did not.
 *
 * The GPU rung believes in a GPU only when TensorFlow does: a loaded NVIDIA driver and an
 * importable @tensorflow/tfjs-node-gpu are not enough, since that package's libtensorflow
 * 2.9.1 is built for CUDA 11.2 and cuDNN 8.1 and, finding other CUDA libraries (CUDA 12),
 * quietly runs every op on the CPU. After loading it the ladder asks the backend whether
 * TensorFlow placed it on a GPU device (tfjs-node's `isUsingGpuDevice`, from the devices of
 * TensorFlow's eager context) and says so; without one the rung is skipped, with the reason.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerTfjsGradients } from './tfjs-gradients';
import { registerWasmTrainingKernels } from './wasm-kernels';

import { BACKEND_NAMES, isBackendName, type BackendName } from './names';

export { BACKEND_NAMES, isBackendName, type BackendName };

export interface BackendRungReport {
  backend: BackendName;
  ok: boolean;
  reason: string;
}
export interface BackendSelection {
  /** The ladder rung that runs. */
  backend: BackendName;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** One entry per rung tried, in ladder order. */
  rungs: BackendRungReport[];
  /** One human-readable line: which backend runs and why the others did not. */
  summary: string;
}

/** What the ladder loads and probes; tests replace it to play a machine they are not on. */
export interface BackendProbes {
  /** Imports an optional package by name (rejects if it is not installed). */
  loadPackage(name: string): Promise<void>;
  /** Whether an NVIDIA driver is loaded. */
  cudaDriverLoaded(): boolean;
}

export interface SelectBackendOptions {
  /** Force one rung; an unavailable forced rung throws `BackendUnavailableError`. */
  force?: BackendName;
  /** Threads for the native backends (`TF_NUM_INTRAOP_THREADS`); wasm in Node is single-threaded. */
  threads?: number;
  /** Where the one summary line goes; default stderr. Pass `() => {}` to silence. */
  log?: (line: string) => void;
  /** Default: the real package loader and driver check. */
  probes?: BackendProbes;
}

/** A forced backend that cannot run here; its message is meant for the user as is. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

function describeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // Module-not-found messages carry the whole require stack; the first line says enough.
  const first = msg.split('\n')[0];
  if (/Cannot find (module|package)/.test(first)) return 'package not installed (optional dependency; its install needs to download libtensorflow)';
  return first;
}

/** A CUDA device is visible when the NVIDIA kernel driver is loaded. */
function hasCudaDevice(): boolean {
  return existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidiactl');
}

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries. The package finds them next to its own
 * JS file, which is wrong once a bundler (our esbuild CLI/extension bundles) has inlined
 * that JS elsewhere; resolving the installed package and passing its dist/ folder to
 * `setWasmPaths` works in both layouts.
 */
function wasmBinaryDir(): string | undefined {
  try {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    const dir = path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    return existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')) ? dir + path.sep : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads a native binding by computed name so that bundlers leave it external and a missing
 * optional package is an ordinary, catchable error at run time.
 */
async function loadOptional(pkg: string): Promise<void> {
  const name = pkg;
  await import(/* @vite-ignore */ name);
}

const REAL_PROBES: BackendProbes = { loadPackage: loadOptional, cudaDriverLoaded: hasCudaDevice };

/** What TensorFlow's CUDA build needs; with anything else the GPU package runs on the CPU. */
export const TFJS_NODE_GPU_REQUIREMENT = 'libtensorflow 2.9.1 of @tensorflow/tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1';
/** Where GPU users go instead (issue 18). */
export const GPU_ADVICE = 'for CUDA 12 GPUs use the PyTorch engine';

/** tfjs-node's backend instance says where TensorFlow put it (nodejs_kernel_backend.ts). */
function tensorflowOnGpu(): boolean | undefined {
  const b = tf.findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean } | null;
  return typeof b?.isUsingGpuDevice === 'boolean' ? b.isUsingGpuDevice : undefined;
}

async function tryRung(backend: BackendName, threads: number | undefined, probes: BackendProbes): Promise<string | null> {
  try {
    switch (backend) {
      case 'node-gpu': {
        if (!probes.cudaDriverLoaded()) return 'no CUDA GPU visible (no NVIDIA driver loaded)';
        if (threads) process.env.TF_NUM_INTRAOP_THREADS = String(threads);
        await probes.loadPackage('@tensorflow/tfjs-node-gpu');
        if (!(await tf.setBackend('tensorflow'))) return "tfjs could not initialize the 'tensorflow' backend";
        if (tensorflowOnGpu() !== true) {
          // Leave the ladder clean for the next rung: this backend would run on the CPU.
          tf.removeBackend('tensorflow');
          return `the package loaded but TensorFlow found no GPU device, so it would run on the CPU (${TFJS_NODE_GPU_REQUIREMENT}; ${GPU_ADVICE})`;
        }
        break;
      }
      case 'node': {
        if (threads) process.env.TF_NUM_INTRAOP_THREADS = String(threads);
        await probes.loadPackage('@tensorflow/tfjs-node');
        break;
      }
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const dir = wasmBinaryDir();
        if (dir) wasm.setWasmPaths(dir);
        registerWasmTrainingKernels();
        break;
      }
      case 'cpu':
        break;
    }
    const tfName = tfBackendOf(backend);
    if (tf.findBackend(tfName) === null && tf.engine().registryFactory[tfName] === undefined) {
      return `the package loaded but registered no '${tfName}' backend`;
    }
    const ok = await tf.setBackend(tfName);
    if (!ok) return `tfjs could not initialize the '${tfName}' backend`;
    // tfjs-backend-cpu prints an "install tfjs-node" banner on first use in Node; the
    // ladder's own line already says why a faster backend is not running.
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
    return null;
  } catch (e) {
    return describeError(e);
  }
}

function tfBackendOf(b: BackendName): string {
  return b === 'node-gpu' || b === 'node' ? 'tensorflow' : b;
}

let current: BackendSelection | null = null;

/**
 * Walks the ladder (or takes the forced rung), activates the first backend that works and
 * logs one line saying which runs and why the others did not. Idempotent: later calls with
 * the same request return the first selection without logging again.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendSelection> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  if (current && !opts.probes && (opts.force === undefined || opts.force === current.backend)) {
    await tf.setBackend(current.tfBackend);
    return current;
  }
  registerTfjsGradients();
  const rungs: BackendRungReport[] = [];
  const order: readonly BackendName[] = opts.force ? [opts.force] : BACKEND_NAMES;
  for (const b of order) {
    const reason = await tryRung(b, opts.threads, opts.probes ?? REAL_PROBES);
    rungs.push({ backend: b, ok: reason === null, reason: reason ?? 'selected' });
    if (reason === null) {
      const why = rungs.filter((r) => !r.ok).map((r) => `${r.backend}: ${r.reason}`);
      const where = b === 'node-gpu' ? ' (TensorFlow on a GPU device)' : b === 'node' ? ' (TensorFlow on the CPU)' : '';
      const summary = `training backend: ${b}${where}${opts.force ? ' (forced)' : ''}` + (why.length ? ` — skipped ${why.join('; ')}` : '');
      const selection = { backend: b, tfBackend: tfBackendOf(b), rungs, summary };
      // A ladder walked with stand-in probes (tests) is not the process's selection.
      if (!opts.probes) current = selection;
      log(summary);
      return selection;
    }
    if (opts.force) throw new BackendUnavailableError(b, reason);
  }
  // Unreachable: the cpu rung always loads.
  throw new Error('no training backend could be initialized');
}

/** The selection made by `selectBackend`, or null before the first call. */
export function currentBackend(): BackendSelection | null {
  return current;
}
