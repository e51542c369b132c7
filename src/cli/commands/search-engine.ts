/**
 * Which engine trains a search's candidates (evaluators `train` and `supernet`): the block's `engine` setting,
 * overridden by `--engine`, kept from run.json on `--resume`. `auto` takes PyTorch where a
 * Python with torch sees a CUDA GPU, else the tfjs engine; `torch` without a usable Python is
 * refused before any trial (exit 2) with what to install. The GPUs (`--gpus`, default every
 * GPU torch sees) times the slots per GPU (`--slots`, the block's `slots`) are the workers.
 */
import { findTorchPython, torchSlots, TorchUnavailableError, type TorchPython } from '../../core/torch/index.js';
import type { SearchSpec } from '../../core/search/spec.js';
import type { TorchRuntime } from '../../core/search/types.js';
import { UsageError } from '../load.js';

export const ENGINES = ['auto', 'tfjs', 'torch'] as const;

/** The evaluators the PyTorch engine runs. */
const TORCH_EVALUATORS = new Set(['train', 'supernet']);

export interface EngineOptions {
  engine?: string;
  /** `0,1`, or `cpu`. */
  gpus?: string;
  slots?: number;
  python?: string;
}

/** The engine could not be started as asked: exit 2, with the message. */
export class EngineUnavailableError extends Error {}

export interface ResolvedEngine {
  /** The spec with `engine` set to the engine that runs (recorded in run.json). */
  readonly spec: SearchSpec;
  readonly torch?: TorchRuntime;
  /** A line for stderr about the choice (auto's reason, options that do not apply). */
  readonly note?: string;
}

/** `--gpus 0,1` / `cpu` as GPU indices ([] for the CPU); UsageError otherwise. */
export function parseGpus(text: string): number[] {
  if (text.trim() === 'cpu') return [];
  const parts = text.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^\d{1,3}$/.test(p))) throw new UsageError(`--gpus: '${text}' is not a list of GPU indices (0,1) or cpu`);
  const gpus = parts.map(Number);
  if (new Set(gpus).size !== gpus.length) throw new UsageError(`--gpus: '${text}' names a GPU twice`);
  return gpus;
}

function withEngine(spec: SearchSpec, engine: 'tfjs' | 'torch'): SearchSpec {
  return { ...spec, evaluator: { ...spec.evaluator, settings: { ...spec.evaluator.settings, engine } } };
}

/**
 * Resolves the engine of `spec`; `recorded` is the engine of a resumed run (runs written before
 * the setting existed ran on tfjs). Throws UsageError or EngineUnavailableError (both exit 2).
 */
export function resolveSearchEngine(spec: SearchSpec, opts: EngineOptions, recorded?: string): ResolvedEngine {
  if (opts.engine !== undefined && !(ENGINES as readonly string[]).includes(opts.engine)) {
    throw new UsageError(`--engine: '${opts.engine}' is not one of ${ENGINES.join(', ')}`);
  }
  const gpus = opts.gpus === undefined ? undefined : parseGpus(opts.gpus);
  if (!TORCH_EVALUATORS.has(spec.evaluator.name)) {
    if (opts.engine !== undefined && opts.engine !== 'tfjs') {
      throw new UsageError(
        `--engine ${opts.engine}: evaluator ${spec.evaluator.name} runs on the tfjs engine only (the PyTorch engine runs the \`train\` and \`supernet\` evaluators)`,
      );
    }
    return { spec };
  }
  if (spec.evaluator.name === 'supernet' && opts.slots !== undefined) {
    throw new UsageError('--slots: the supernet evaluator trains and scores on one worker (it holds the shared weights)');
  }
  let wanted: string;
  if (recorded !== undefined) {
    if (opts.engine !== undefined && opts.engine !== 'auto' && opts.engine !== recorded) {
      throw new UsageError(`--engine ${opts.engine}: the run was recorded with the ${recorded} engine; a resumed run keeps it`);
    }
    wanted = recorded;
  } else wanted = opts.engine ?? String(spec.evaluator.settings['engine'] ?? 'auto');
  if (wanted === 'tfjs')
    return { spec: withEngine(spec, 'tfjs'), ...(gpus?.length ? { note: '--gpus applies to the torch engine; this search runs on tfjs' } : {}) };

  let python: TorchPython;
  try {
    python = findTorchPython(opts.python);
  } catch (e) {
    if (!(e instanceof TorchUnavailableError)) throw e;
    if (wanted === 'torch') throw new EngineUnavailableError(`engine torch: ${e.message}`);
    return { spec: withEngine(spec, 'tfjs'), note: `engine auto: tfjs (${e.message.replace(/:.*$/s, '')})` };
  }
  if (wanted === 'auto' && !python.cuda) {
    return {
      spec: withEngine(spec, 'tfjs'),
      note: `engine auto: tfjs (torch ${python.torch} of ${python.python} sees no CUDA GPU; --engine torch trains on its CPU)`,
    };
  }
  const use = gpus ?? Array.from({ length: python.gpus }, (_, i) => i);
  const missing = use.filter((g) => g >= python.gpus);
  if (missing.length) {
    throw new EngineUnavailableError(
      python.cuda
        ? `--gpus: torch ${python.torch} of ${python.python} sees ${python.gpus} GPU(s) (0 to ${python.gpus - 1}), not ${missing.join(', ')}`
        : `--gpus ${opts.gpus}: torch ${python.torch} of ${python.python} sees no CUDA GPU (a CPU build of PyTorch, or no GPU visible); --gpus cpu trains on the CPU`,
    );
  }
  const where = (gs: number[]): string =>
    gs.length ? `${gs.map((g) => `cuda:${g}`).join(', ')} (${[...new Set(gs.map((g) => python.gpuNames[g]))].join(', ')})` : 'the CPU';
  if (spec.evaluator.name === 'supernet') {
    // One worker holds the supernet's weights and trains it one path per batch: one device.
    const one = use.slice(0, 1);
    const runtime: TorchRuntime = {
      python: python.python,
      slots: torchSlots(one, 1),
      description: `torch ${python.torch} (${python.python}) on ${where(one)}, one worker holding the supernet`,
    };
    const note = use.length > 1 ? `the supernet trains on one GPU: cuda:${use[0]} (of --gpus ${use.join(',')})` : undefined;
    return { spec: withEngine(spec, 'torch'), torch: runtime, ...(note ? { note } : {}) };
  }
  const slots = opts.slots ?? Number(spec.evaluator.settings['slots'] ?? 1);
  const runtime: TorchRuntime = {
    python: python.python,
    slots: torchSlots(use, slots),
    description: `torch ${python.torch} (${python.python}) on ${where(use)}, ${slots} trial(s) at once per ${use.length ? 'GPU' : 'CPU'}`,
  };
  return { spec: withEngine(spec, 'torch'), torch: runtime };
}
