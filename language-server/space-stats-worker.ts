/**
 * Space statistics (size, min/max cost) off the main thread. `computeSpaceStats` may enumerate
 * or search for seconds or minutes (NASNet's space: minutes), and a language server that
 * computes on its only thread stops answering. A worker thread (the same bundle, started with
 * `workerData`) recomputes them from the documents' texts; a job that runs too long, or whose
 * documents changed meanwhile, is dropped by terminating the worker.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { SpaceStatsOutcome } from './analysis.js';
import { spaceFigures, type SpaceFigures } from '../src/core/semantics/space.js';

export interface SpaceStatsJob {
  /** Documents in dependency order (imports first); the last one holds the space. */
  documents: Array<{ uri: string; text: string }>;
  name: string;
}

interface WorkerReply {
  ok: boolean;
  message?: string;
  stats?: SpaceFigures;
}

export const WORKER_MARKER = 'nas-space-stats-worker';

/** True in the worker thread started by SpaceStatsRunner. */
export function isSpaceStatsWorker(): boolean {
  return !isMainThread && workerData === WORKER_MARKER;
}

/** The worker's loop: one job at a time, a fresh set of documents each time. */
export async function runSpaceStatsWorker(): Promise<void> {
  const { NasWorkspace } = await import('../src/core/workspace.js');
  const { computeSpaceStats } = await import('../src/core/semantics/space.js');
  const { URI } = await import('langium');
  const ws = new NasWorkspace();
  parentPort!.on('message', async (job: SpaceStatsJob) => {
    let reply: WorkerReply;
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
  private running: { job: SpaceStatsJob; resolve: (o: SpaceStatsOutcome) => void; timer: NodeJS.Timeout; isStale: () => boolean } | undefined;
  private readonly queue: Array<{ job: SpaceStatsJob; resolve: (o: SpaceStatsOutcome) => void; isStale: () => boolean }> = [];

  constructor(
    private readonly script: string,
    private readonly timeLimitMs = 30_000,
  ) {}

  run(job: SpaceStatsJob, isStale: () => boolean): Promise<SpaceStatsOutcome> {
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
    const worker = new Worker(this.script, { workerData: WORKER_MARKER, argv: [], stdout: true });
    worker.stdout.resume();
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.finish(toOutcome(reply)));
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

  private finish(outcome: SpaceStatsOutcome): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.timer);
    this.running = undefined;
    r.resolve(outcome);
    this.next();
  }

  private abort(outcome: SpaceStatsOutcome): void {
    if (!this.running) return;
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    this.finish(outcome);
  }
}

function toOutcome(reply: WorkerReply): SpaceStatsOutcome {
  if (!reply.ok || !reply.stats) return { ok: false, message: reply.message ?? 'failed' };
  const s = reply.stats;
  return { ok: true, stats: { ...s, size: BigInt(s.size) } };
}
