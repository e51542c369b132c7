/**
 * One PyTorch worker process (python/nas_torch_worker.py) and its line-delimited JSON
 * (src/protocol/torch-worker.ts). A job's events arrive through its `onEvent`; a job ends with
 * exactly one of done, cancelled or error, also when the worker dies, hangs past the job's
 * timeout (it is killed: a hung CUDA call cannot be interrupted otherwise) or cannot be started.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type {
  TorchCancelledEvent,
  TorchDoneEvent,
  TorchErrorEvent,
  TorchJobRequest,
  TorchReadyEvent,
  TorchTrainRequest,
  TorchWorkerEvent,
  TorchWorkerRequest,
} from '../../protocol/torch-worker';
import { workerScriptPath } from './python';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type TorchJobEnd = TorchDoneEvent | TorchCancelledEvent | TorchErrorEvent;

export interface TorchJobOptions {
  onEvent?: (e: TorchWorkerEvent) => void;
  /** Aborting sends `cancel`: the worker stops before its next batch. */
  signal?: AbortSignal;
  /** A job still running after this many ms is failed and the worker killed (a hang). */
  timeoutMs?: number;
  /** A job that sends no event for this many ms is failed and the worker killed (a hung CUDA call). */
  stallMs?: number;
}

interface Pending {
  id: string;
  onEvent?: (e: TorchWorkerEvent) => void;
  resolve: (end: TorchJobEnd) => void;
}

export class TorchWorker {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly jobs = new Map<string, Pending>();
  private readyWaiters: ((e: TorchReadyEvent | TorchErrorEvent) => void)[] = [];
  private stderrTail = '';
  /** The error the worker said before it exited (missing-torch), reported to waiters. */
  private fatal: TorchErrorEvent | undefined;
  private exited: string | undefined;
  private nextId = 1;
  private killed = false;

  /** Starts `python worker.py`; `log` receives the worker's stderr lines. */
  constructor(
    python: string,
    private readonly log: (line: string) => void = () => undefined,
    script: string = workerScriptPath(),
  ) {
    this.proc = spawn(python, ['-u', script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.onLine(line));
    createInterface({ input: this.proc.stderr }).on('line', (line) => {
      this.stderrTail = (this.stderrTail + line + '\n').slice(-2000);
      this.log(line);
    });
    this.proc.on('error', (e) => this.onExit(`the worker could not start: ${e.message}`));
    this.proc.on('exit', (code, sig) =>
      this.onExit(
        this.fatal
          ? this.fatal.message
          : `the PyTorch worker exited (${sig ?? `status ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      ),
    );
    this.proc.stdin.on('error', () => undefined); // a dead worker: its exit reports it
  }

  /** False once the worker has exited or was killed (before its exit arrives): it takes no more jobs. */
  get alive(): boolean {
    return this.exited === undefined && !this.killed;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private send(req: TorchWorkerRequest): void {
    if (this.exited === undefined) this.proc.stdin.write(JSON.stringify(req) + '\n');
  }

  private onLine(line: string): void {
    let e: TorchWorkerEvent;
    try {
      e = JSON.parse(line) as TorchWorkerEvent;
    } catch {
      this.log(`(worker stdout, not JSON) ${line}`);
      return;
    }
    if (e.type === 'ready' || (e.type === 'error' && e.id === undefined)) {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const w of waiters) w(e);
      if (e.type === 'error') {
        if (e.kind === 'missing-torch') this.fatal = e;
        if (!waiters.length) this.log(`worker: ${e.message}`);
      }
      return;
    }
    const job = e.id === undefined ? undefined : this.jobs.get(e.id);
    if (!job) return;
    job.onEvent?.(e);
    if (e.type === 'done' || e.type === 'cancelled' || e.type === 'error') {
      this.jobs.delete(job.id);
      job.resolve(e);
    }
  }

  private onExit(message: string): void {
    if (this.exited !== undefined) return;
    this.exited = message;
    const err: TorchErrorEvent = { type: 'error', kind: this.fatal?.kind ?? 'internal', message };
    for (const w of this.readyWaiters) w(err);
    this.readyWaiters = [];
    for (const job of this.jobs.values()) {
      const e = { ...err, id: job.id };
      job.onEvent?.(e);
      job.resolve(e);
    }
    this.jobs.clear();
  }

  /** The worker's Python, torch and device, or an error event (torch missing, the worker dead). */
  hello(): Promise<TorchReadyEvent | TorchErrorEvent> {
    if (this.exited !== undefined) return Promise.resolve({ type: 'error', kind: this.fatal?.kind ?? 'internal', message: this.exited });
    return new Promise((resolve) => {
      this.readyWaiters.push(resolve);
      this.send({ type: 'hello' });
    });
  }

  /** Runs one training job; resolves with its last event. */
  train(req: Omit<TorchTrainRequest, 'type' | 'id'>, opts: TorchJobOptions = {}): Promise<TorchJobEnd> {
    return this.job({ type: 'train', ...req }, opts);
  }

  /** Runs one job (training, or a supernet's request); resolves with its last event. */
  job(req: DistributiveOmit<TorchJobRequest, 'id'>, opts: TorchJobOptions = {}): Promise<TorchJobEnd> {
    const id = `job-${this.nextId++}`;
    if (this.exited !== undefined) return Promise.resolve({ type: 'error', id, kind: 'internal', message: this.exited });
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let stall: NodeJS.Timeout | undefined;
      const onAbort = (): void => this.send({ type: 'cancel', id });
      const finish = (end: TorchJobEnd): void => {
        if (timer) clearTimeout(timer);
        if (stall) clearTimeout(stall);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(end);
      };
      /** Ends the job with `message` and kills the worker (a hung CUDA call cannot be interrupted otherwise). */
      const stop = (message: string): void => {
        const job = this.jobs.get(id);
        if (!job) return;
        this.jobs.delete(id);
        const e: TorchErrorEvent = { type: 'error', id, kind: 'internal', message };
        job.onEvent?.(e);
        finish(e);
        this.kill();
      };
      const watch = (): void => {
        if (opts.stallMs === undefined) return;
        if (stall) clearTimeout(stall);
        stall = setTimeout(() => stop(`the worker sent nothing for ${Math.round(opts.stallMs! / 1000)} s (a hung call?); it was stopped`), opts.stallMs);
      };
      const onEvent = (e: TorchWorkerEvent): void => {
        watch();
        opts.onEvent?.(e);
      };
      this.jobs.set(id, { id, onEvent, resolve: finish });
      watch();
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => stop(`the job ran past its ${Math.round(opts.timeoutMs! / 1000)} s timeout; the worker was stopped`), opts.timeoutMs);
      }
      if (opts.signal?.aborted) onAbort();
      opts.signal?.addEventListener('abort', onAbort);
      this.send({ ...req, id } as TorchJobRequest);
    });
  }

  /** Asks the worker to finish and waits for it to exit. */
  async close(): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.send({ type: 'shutdown' });
    this.proc.stdin.end();
    await gone;
  }

  kill(): void {
    if (this.exited !== undefined) return;
    this.killed = true;
    this.proc.kill('SIGKILL');
  }
}
