/**
 * The graph view's layouts (`nas/layout`, src/protocol/graph-layout.ts) on a thread of the
 * language server: elkjs computes on the thread it runs on, and a layout of a few hundred
 * boxes takes a tenth of a second or more, which the server's own thread must not spend. The
 * thread lives as long as the server, so elkjs' code stays compiled and optimised from one
 * picture to the next; it warms up once, shortly after the server starts, on a made-up view of
 * the shapes real views have. A cancelled layout ends the thread; the next one starts afresh.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { toElk } from '../src/core/views/elk-graph.js';
import { warmUpView } from '../src/core/views/warm-up-view.js';
import { LAYOUT_THREAD_MARKER, type LayoutJob, type LayoutReply } from '../src/protocol/graph-layout.js';

/** True in the thread started by LayoutThread. */
export function isLayoutThread(): boolean {
  return !isMainThread && workerData === LAYOUT_THREAD_MARKER;
}

/** The thread's loop: one layout at a time, in the order asked. */
export async function runLayoutThread(): Promise<void> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  parentPort!.on('message', async (job: LayoutJob) => {
    let reply: LayoutReply;
    try {
      reply = { id: job.id, ok: true, graph: await elk.layout(job.graph) };
    } catch (e) {
      reply = { id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    parentPort!.postMessage(reply);
  });
}

/**
 * Rounds of the warm-up: the first layouts of a fresh elkjs cost 5–10 times the CPU of the same
 * layout after a few dozen (V8 has not optimised its code yet); a dozen layouts of a 60-box
 * view bring a 100-box view to within 1.5–2 times of warm. Small rounds, so that a real layout
 * asked for meanwhile waits for one small layout at most.
 */
const WARM_UP_ROUNDS = 24;
const WARM_UP_FRAMES = 6;

interface Running {
  job: LayoutJob;
  resolve(reply: LayoutReply): void;
}

/** The main thread's side: a queue of layouts on one thread, started on first use or by warmUp. */
export class LayoutThread {
  private worker: Worker | undefined;
  private running: Running | undefined;
  private readonly queue: Running[] = [];
  private nextId = 1;
  private warmUpLeft = 0;

  constructor(private readonly script: string) {}

  /** Lays out `graph`; `cancelled` may be called while it waits or runs. */
  layout(graph: ElkNode): { result: Promise<ElkNode>; cancel(): void } {
    const job: LayoutJob = { id: this.nextId++, graph };
    let entry: Running | undefined;
    const result = new Promise<ElkNode>((resolve, reject) => {
      entry = { job, resolve: (r) => (r.ok ? resolve(r.graph) : reject(new Error(r.message))) };
    });
    this.queue.push(entry!);
    this.next();
    return {
      result,
      cancel: () => {
        const at = this.queue.indexOf(entry!);
        if (at >= 0) {
          this.queue.splice(at, 1);
          entry!.resolve({ id: job.id, ok: false, message: 'layout cancelled' });
        } else if (this.running === entry) this.restart('layout cancelled');
      },
    };
  }

  /** Lays out a made-up view WARM_UP_ROUNDS times, each only while no real layout waits. */
  warmUp(): void {
    this.warmUpLeft = WARM_UP_ROUNDS;
    this.next();
  }

  dispose(): void {
    this.warmUpLeft = 0;
    for (const q of this.queue.splice(0)) q.resolve({ id: q.job.id, ok: false, message: 'server stopping' });
    this.restart('server stopping');
  }

  private next(): void {
    if (this.running) return;
    let item = this.queue.shift();
    if (!item && this.warmUpLeft > 0) {
      this.warmUpLeft--;
      item = { job: { id: this.nextId++, graph: toElk(warmUpView(WARM_UP_FRAMES)) }, resolve: () => undefined };
    }
    if (!item) return;
    this.running = item;
    this.ensureWorker().postMessage(item.job);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // stdout: true, drained: the thread must never write into the server's stdio channel.
    const worker = new Worker(this.script, { workerData: LAYOUT_THREAD_MARKER, argv: [], stdout: true });
    worker.stdout.resume();
    worker.unref();
    worker.on('message', (reply: LayoutReply) => {
      if (this.worker === worker) this.finish(reply);
    });
    worker.on('error', (e) => {
      if (this.worker === worker) this.restart(`layout thread failed: ${e.message}`);
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.restart('layout thread ended');
    });
    this.worker = worker;
    return worker;
  }

  private finish(reply: LayoutReply): void {
    const r = this.running;
    if (!r || r.job.id !== reply.id) return;
    this.running = undefined;
    r.resolve(reply);
    this.next();
  }

  /** Ends the thread (and the layout on it, which fails with `message`); the next job starts a fresh one. */
  private restart(message: string): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    const r = this.running;
    this.running = undefined;
    r?.resolve({ id: r.job.id, ok: false, message });
    this.next();
  }
}
