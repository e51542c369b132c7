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
}

const PROBE = 'import sys, torch; print(torch.__version__); print(int(torch.cuda.is_available()))';

function probe(python: string): { ok: TorchPython } | { error: string } {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message };
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').at(-1) ?? '';
    return { error: /No module named .torch/.test(last) ? 'has no torch' : last || `exited ${r.status}` };
  }
  const [version, cuda] = r.stdout.trim().split('\n');
  return { ok: { python, torch: version!, cuda: cuda === '1' } };
}

const INSTALL =
  'install PyTorch for it (https://pytorch.org/get-started/locally/ gives the command for your CUDA version; ' +
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
