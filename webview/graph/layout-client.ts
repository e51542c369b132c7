/**
 * Layout off the page's thread: elkjs' API on the page, its layout engine in a Web Worker
 * (dist/webview/graph-worker.js is elkjs' elk-worker.min.js). One layout at a time (a newer
 * one replaces the one running), a callback while a layout takes long (progress), and
 * cancel, which ends the worker and starts a fresh one (elkjs cannot stop a layout inside).
 */
import ElkConstructor, { type ELK } from 'elkjs/lib/elk-api.js';
import { layoutView, type Scene } from '../../src/core/views/elk-graph.js';
import type { ViewGraph } from '../../src/core/views/view-model.js';

export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
  }
}

interface Pending {
  reject(err: Error): void;
  timer: ReturnType<typeof setInterval>;
}

/** After this long a layout reports progress (the page shows it with a cancel button). */
export const SLOW_LAYOUT_MS = 250;

export class LayoutClient {
  private elk: ELK;
  private pending: Pending | undefined;
  /** How long the last layout took, in ms. */
  lastMs = 0;

  constructor(private readonly spawn: () => Worker) {
    this.elk = this.start();
  }

  private start(): ELK {
    const elk = new ElkConstructor({ workerFactory: () => this.spawn() });
    // elkjs' first layout pays for compiling its code: pay it before the first graph arrives.
    void elk
      .layout({ id: 'warm', layoutOptions: { 'elk.algorithm': 'layered' }, children: [{ id: 'a', width: 10, height: 10 }], edges: [] })
      .catch(() => undefined);
    return elk;
  }

  /** Lays out `view`; `progress(ms)` is called every 100 ms once it has run SLOW_LAYOUT_MS. */
  layout(view: ViewGraph, progress: (elapsedMs: number) => void): Promise<Scene> {
    if (this.pending) this.cancel();
    const started = performance.now();
    const elk = this.elk;
    return new Promise<Scene>((resolve, reject) => {
      const timer = setInterval(() => {
        const ms = performance.now() - started;
        if (ms >= SLOW_LAYOUT_MS) progress(ms);
      }, 100);
      const mine: Pending = { reject, timer };
      this.pending = mine;
      layoutView(view, (g) => elk.layout(g)).then(
        (scene) => {
          if (this.pending !== mine) return;
          this.pending = undefined;
          clearInterval(timer);
          this.lastMs = performance.now() - started;
          resolve(scene);
        },
        (err: unknown) => {
          if (this.pending !== mine) return;
          this.pending = undefined;
          clearInterval(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Stops the running layout; its promise rejects with LayoutCancelled. */
  cancel(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearInterval(p.timer);
    this.elk.terminateWorker();
    this.elk = this.start();
    p.reject(new LayoutCancelled());
  }

  dispose(): void {
    this.elk.terminateWorker();
  }
}

/** A worker from the script at `url`: fetched and started from a blob, as a webview may not start a worker from its resource origin. */
export async function workerFactory(url: string): Promise<() => Worker> {
  const text = await (await fetch(url)).text();
  const blobUrl = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  return () => new Worker(blobUrl);
}
