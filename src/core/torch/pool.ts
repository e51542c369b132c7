/**
 * Several candidates at once: one worker per slot, a slot being a device (`cuda:N`, or the
 * CPU). Several slots may share a GPU (small NAS candidates rarely fill one). Jobs wait for a
 * free slot; a worker that died or was killed (a crash, a hang past the job's timeout) fails
 * only its job and is replaced by a fresh one for the next.
 */
import type { TorchTrainRequest } from '../../protocol/torch-worker';
import { TorchWorker, type TorchJobEnd, type TorchJobOptions } from './worker';

export interface TorchSlot {
  device: 'cpu' | 'cuda';
  cuda_index?: number;
}

/** `perGpu` slots on each of `gpus` (`--gpus 0,1`), or `perGpu` CPU slots without GPUs. */
export function torchSlots(gpus: readonly number[], perGpu = 1): TorchSlot[] {
  if (gpus.length === 0) return Array.from({ length: perGpu }, () => ({ device: 'cpu' as const }));
  return gpus.flatMap((g) => Array.from({ length: perGpu }, () => ({ device: 'cuda' as const, cuda_index: g })));
}

/** A fresh worker that has not said `ready` by then (a Python that hangs importing torch) is killed. */
const START_TIMEOUT_MS = 120_000;

export class TorchWorkerPool {
  private readonly workers: (TorchWorker | undefined)[];
  private readonly free: number[];
  private readonly waiting: ((slot: number) => void)[] = [];
  private closed = false;
  /** A host that exits (a second Ctrl-C) takes its workers with it: a job would otherwise train on. */
  private readonly killAll = (): void => {
    for (const w of this.workers) w?.kill();
  };

  constructor(
    private readonly python: string,
    readonly slots: readonly TorchSlot[],
    private readonly log: (line: string) => void = () => undefined,
    private readonly script?: string,
  ) {
    if (slots.length === 0) throw new RangeError('a worker pool needs at least one slot');
    this.workers = slots.map(() => undefined);
    this.free = slots.map((_, i) => i);
    process.on('exit', this.killAll);
  }

  private acquire(): Promise<number> {
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  /** Runs a job on the next free slot, with that slot's device. */
  async run(req: Omit<TorchTrainRequest, 'type' | 'id'>, opts: TorchJobOptions = {}): Promise<TorchJobEnd & { slot: number }> {
    if (this.closed) throw new Error('the worker pool is closed');
    const slot = await this.acquire();
    try {
      let worker = this.workers[slot];
      if (!worker?.alive) {
        worker = new TorchWorker(this.python, (l) => this.log(`worker ${slot}: ${l}`), this.script);
        this.workers[slot] = worker;
        // Started before the job, so that a job's timeout does not count Python's start and torch's import.
        const fresh = worker;
        const timer = setTimeout(() => fresh.kill(), START_TIMEOUT_MS);
        const ready = await fresh.hello();
        clearTimeout(timer);
        if (ready.type === 'error') return { type: 'error', kind: ready.kind, message: `the PyTorch worker did not start: ${ready.message}`, slot };
      }
      const { device, cuda_index } = this.slots[slot]!;
      const end = await worker.train({ ...req, options: { ...req.options, device, cuda_index: cuda_index ?? 0 } }, opts);
      return { ...end, slot };
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    process.off('exit', this.killAll);
    await Promise.all(this.workers.map((w) => w?.close()));
  }
}
