/**
 * Space statistics (size, min/max cost) off the main thread. `computeSpaceStats` may enumerate
 * or search for seconds or minutes (NASNet's space: minutes), and a language server that
 * computes on its only thread stops answering. A worker thread (the same bundle, started with
 * `workerData`) recomputes them from the documents' texts; a job that runs too long, or whose
 * documents changed meanwhile, is dropped by terminating the worker.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { spaceFigures } from '../src/core/semantics/figures.js';
import { SPACE_STATS_WORKER_MARKER, type SpaceStatsJob, type SpaceStatsReply } from '../src/protocol/space-stats-worker.js';

/** True in the worker thread started by SpaceStatsRunner. */
export function isSpaceStatsWorker(): boolean {
  return !isMainThread && workerData === SPACE_STATS_WORKER_MARKER;
}

/** The worker's loop: one job at a time, a fresh set of documents each time. */
export async function runSpaceStatsWorker(): Promise<void> {
  const { NasWorkspace } = await import('../src/core/workspace.js');
  const { computeSpaceStats } = await import('../src/core/semantics/space.js');
  const { URI } = await import('langium');
  const ws = new NasWorkspace();
  parentPort!.on('message', async (job: SpaceStatsJob) => {
    let reply: SpaceStatsReply;
    try {
      const docs = ws.shared.workspace.LangiumDocuments;
      for (const d of docs.all.toArray()) if (d.uri.scheme !== 'builtin') docs.deleteDocument(d.uri);
      let last;
      for (const d of job.documents) last = await ws.addText(d.text, URI.parse(d.uri));
      const root = last?.parseResult.value as { elements?: Array<{ $type: string; name: string; kind?: string }> } | undefined;
      const def = root?.elements?.find((e) => e.$type === 'Definition' && e.name === job.name);
      if (!def) throw new Error(`no space ${job.name}`);
      const s = computeSpaceStats(def as never);
      reply = { ok: true, stats: spaceFigures(s) };
    } catch (e) {
      reply = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    parentPort!.postMessage(reply);
  });
}

/** Runs jobs on one worker thread, one at a time, each within a time limit. */
export class SpaceStatsRunner {
  private worker: Worker | undefined;
  private running: { job: SpaceStatsJob; resolve: (o: SpaceStatsReply) => void; timer: NodeJS.Timeout; isStale: () => boolean } | undefined;
  private readonly queue: Array<{ job: SpaceStatsJob; resolve: (o: SpaceStatsReply) => void; isStale: () => boolean }> = [];

  constructor(
    private readonly script: string,
    private readonly timeLimitMs = 30_000,
  ) {}

  run(job: SpaceStatsJob, isStale: () => boolean): Promise<SpaceStatsReply> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve, isStale });
      // A job for documents that have changed since will be thrown away: stop it now.
      if (this.running?.isStale()) this.abort({ ok: false, message: 'superseded by a newer version' });
      this.next();
    });
  }

  dispose(): void {
    this.abort({ ok: false, message: 'server stopping' });
    for (const q of this.queue.splice(0)) q.resolve({ ok: false, message: 'server stopping' });
  }

  private next(): void {
    if (this.running) return;
    let item = this.queue.shift();
    while (item?.isStale()) {
      item.resolve({ ok: false, message: 'superseded by a newer version' });
      item = this.queue.shift();
    }
    if (!item) return;
    const worker = this.ensureWorker();
    const timer = setTimeout(() => this.abort({ ok: false, message: `not computed: it takes more than ${this.timeLimitMs / 1000} s` }), this.timeLimitMs);
    this.running = { ...item, timer };
    worker.postMessage(item.job);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // stdout: true, drained: the worker must never write into the server's stdio channel.
    const worker = new Worker(this.script, { workerData: SPACE_STATS_WORKER_MARKER, argv: [], stdout: true });
    worker.stdout.resume();
    worker.unref();
    worker.on('message', (reply: SpaceStatsReply) => this.finish(reply));
    worker.on('error', (e) => {
      this.worker = undefined;
      this.finish({ ok: false, message: `worker failed: ${e.message}` });
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private finish(outcome: SpaceStatsReply): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.timer);
    this.running = undefined;
    r.resolve(outcome);
    this.next();
  }

  private abort(outcome: SpaceStatsReply): void {
    if (!this.running) return;
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    this.finish(outcome);
  }
}
