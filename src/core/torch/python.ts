/**
 * Which Python runs the PyTorch worker: the one the user named (`--python`, the NAS_PYTHON
 * environment variable), else the first of `python3` and
 * `python` on PATH that imports torch. Without one, the error says what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class TorchUnavailableError extends Error {}

export interface TorchPython {
  /** The interpreter (as given, or found on PATH). */
  python: string;
  /** torch.__version__ */
  torch: string;
  cuda: boolean;
  /** CUDA devices torch sees (0 without CUDA) and their names. */
  gpus: number;
  gpuNames: string[];
}

const PROBE =
  'import sys, torch; c = torch.cuda.is_available(); print(torch.__version__); print(int(c)); ' +
  'print("|".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())) if c else "")';

function probe(python: string): { ok: TorchPython } | { error: string } {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message };
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').at(-1) ?? '';
    return { error: /No module named .torch/.test(last) ? 'has no torch' : last || `exited ${r.status}` };
  }
  const [version, cuda, names] = r.stdout.split('\n');
  const gpuNames = cuda === '1' && names ? names.split('|') : [];
  return { ok: { python, torch: version!.trim(), cuda: cuda === '1', gpus: gpuNames.length, gpuNames } };
}

const INSTALL =
  'install PyTorch for it (pip install torch, or the command https://pytorch.org/get-started/locally/ gives for your CUDA version; ' +
  'on Debian or Ubuntu, CPU only: apt-get install python3-torch), or name a Python that has it with --python or NAS_PYTHON';

/** The Python to run the worker with, or TorchUnavailableError saying what was tried and what to install. */
export function findTorchPython(preferred?: string): TorchPython {
  const named = preferred ?? process.env['NAS_PYTHON'];
  if (named) {
    const r = probe(named);
    if ('ok' in r) return r.ok;
    throw new TorchUnavailableError(`the Python ${named} cannot run the PyTorch engine (${r.error}): ${INSTALL}`);
  }
  const tried: string[] = [];
  for (const candidate of ['python3', 'python']) {
    const r = probe(candidate);
    if ('ok' in r) return r.ok;
    tried.push(`${candidate}: ${r.error}`);
  }
  throw new TorchUnavailableError(`no Python with torch found (${tried.join('; ')}): ${INSTALL}`);
}

/**
 * The worker script, python/nas_torch_worker.py: shipped beside the bundles' folder (dist/) and
 * the sources' (src/core/torch/), so it is found from either by walking up.
 */
export function workerScriptPath(from?: string): string {
  // __dirname in the CommonJS bundles and under vitest; else the folder of the script that runs.
  const start = from ?? (typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.'));
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'python', 'nas_torch_worker.py');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new TorchUnavailableError(`python/nas_torch_worker.py not found above ${start} (a broken installation)`);
    dir = up;
  }
}
