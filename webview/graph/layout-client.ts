/**
 * Layout off the page's thread. Where the host lays out (`data-layout="host"` on the body:
 * the graph view's panels), the page sends the view's ELK graph to the extension host, which
 * has the language server lay it out on its warm layout thread (src/protocol/graph-layout.ts;
 * a fresh page's worker runs elkjs cold, several times slower); a layout the host cannot do
 * falls back to the worker. Elsewhere elkjs' API on the page, its engine in a Web Worker
 * (dist/webview/graph-worker.js is elkjs' elk-worker.min.js). One layout at a time (a newer one
 * replaces the one running), a callback while a layout takes long (progress), and cancel: the
 * host's request is cancelled, or the worker ended and a fresh one started (elkjs cannot stop a
 * layout inside).
 */
import ElkConstructor, { type ELK, type ElkNode } from 'elkjs/lib/elk-api.js';
import { layoutView, type Scene } from '../../src/core/views/elk-graph.js';
import { warmUpView } from '../../src/core/views/warm-up-view.js';
import type { ViewGraph } from '../../src/core/views/view-model.js';
import type { LayoutHostMessage, LayoutPageMessage } from '../../src/protocol/graph-layout.js';

export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
  }
}

interface Pending {
  reject(err: Error): void;
  timer: ReturnType<typeof setInterval>;
  /** The host's layouts of this request still running (a comparison has one per side). */
  hostIds: Set<number>;
}

/** After this long a layout reports progress (the page shows it with a cancel button). */
export const SLOW_LAYOUT_MS = 250;

/** Posts a layout message to the host (the webview API's postMessage). */
export type HostPost = (message: LayoutPageMessage) => void;

export class LayoutClient {
  private elk: ELK | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(g: ElkNode): void; reject(e: Error): void }>();
  /** How long the last layout took, in ms. */
  lastMs = 0;

  /** With `host`, layouts go to the host and the worker starts only if the host fails one. */
  constructor(
    private readonly spawn: () => Worker,
    private readonly host?: HostPost,
  ) {
    if (!host) this.elk = this.start();
  }

  private start(): ELK {
    const elk = new ElkConstructor({ workerFactory: () => this.spawn() });
    // elkjs' first layouts pay for compiling its code: pay it before the first graph arrives,
    // on a view that takes the paths real ones take (nesting, ports, edge labels).
    const warm = warmUpView(1);
    void layoutView(warm, (g) => elk.layout(g))
      .then(() => layoutView(warm, (g) => elk.layout(g)))
      .catch(() => undefined);
    return elk;
  }

  private worker(): ELK {
    return (this.elk ??= this.start());
  }

  /** A host's answer to one of our `layout` messages. */
  receive(m: LayoutHostMessage): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (m.type === 'layoutDone') w.resolve(m.graph);
    else w.reject(new Error(m.message));
  }

  /** Lays out `view`; `progress(ms)` is called every 100 ms once it has run SLOW_LAYOUT_MS. */
  layout(view: ViewGraph, progress: (elapsedMs: number) => void): Promise<Scene> {
    if (this.pending) this.cancel();
    const started = performance.now();
    return new Promise<Scene>((resolve, reject) => {
      const timer = setInterval(() => {
        const ms = performance.now() - started;
        if (ms >= SLOW_LAYOUT_MS) progress(ms);
      }, 100);
      const mine: Pending = { reject, timer, hostIds: new Set() };
      this.pending = mine;
      const byWorker = (g: ElkNode): Promise<ElkNode> => this.worker().layout(g);
      const byHost = (g: ElkNode): Promise<ElkNode> =>
        this.hostLayout(g, mine).catch((e: unknown) => {
          if (this.pending !== mine) throw e;
          return byWorker(g);
        });
      layoutView(view, this.host ? byHost : byWorker).then(
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

  private hostLayout(graph: ElkNode, pending: Pending): Promise<ElkNode> {
    const id = this.nextId++;
    pending.hostIds.add(id);
    return new Promise<ElkNode>((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (g) => {
          pending.hostIds.delete(id);
          resolve(g);
        },
        reject: (e) => {
          pending.hostIds.delete(id);
          reject(e);
        },
      });
      this.host!({ type: 'layout', id, graph });
    });
  }

  /** Stops the running layout; its promise rejects with LayoutCancelled. */
  cancel(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearInterval(p.timer);
    for (const id of p.hostIds) {
      this.waiting.delete(id);
      this.host!({ type: 'layoutCancel', id });
    }
    if (this.elk) {
      this.elk.terminateWorker();
      this.elk = this.host ? undefined : this.start();
    }
    p.reject(new LayoutCancelled());
  }

  dispose(): void {
    this.elk?.terminateWorker();
  }
}

/** A worker from the script at `url`: fetched and started from a blob, as a webview may not start a worker from its resource origin. */
export async function workerFactory(url: string): Promise<() => Worker> {
  const text = await (await fetch(url)).text();
  const blobUrl = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  return () => new Worker(blobUrl);
}
