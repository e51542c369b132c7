/**
 * Layout off the page's thread: elkjs' API on the page, its layout engine in a Web Worker
 * (dist/webview/graph-worker.js is elkjs' elk-worker.min.js). One layout at a time (a newer
 * one replaces the one running), a callback while a layout takes long (progress), and
 * cancel, which ends the worker and starts a fresh one (elkjs cannot stop a layout inside).
 */
import ElkConstructor, { type ELK } from 'elkjs/lib/elk-api.js';
import { layoutView, type Scene } from '../../src/core/views/elk-graph.js';
import type { ViewEdge, ViewGraph, ViewNode } from '../../src/core/views/view-model.js';

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
    // elkjs' first layouts pay for compiling its code: pay it before the first graph arrives,
    // on a view that takes the paths real ones take (nesting, ports, edge labels).
    const warm = warmUpView();
    void layoutView(warm, (g) => elk.layout(g))
      .then(() => layoutView(warm, (g) => elk.layout(g)))
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

/** A small view with what views have: a frame holding a chain, a node with two input ports, labelled edges. */
function warmUpView(): ViewGraph {
  const box = (id: string, ports?: string[]): ViewNode => ({
    id,
    kind: 'op',
    title: id,
    lines: ['64×56×56'],
    family: 'conv',
    params: 0,
    macs: 0,
    members: [],
    marks: [],
    tooltip: [],
    ports,
  });
  const frame: ViewNode = { ...box('f'), kind: 'group', children: [box('a'), box('b'), box('c'), box('d', ['', ''])] };
  const edge = (id: string, source: string, target: string, targetPort?: number, label?: string[]): ViewEdge => ({
    id,
    source,
    target,
    targetPort,
    label,
    marks: [],
    members: [],
    tooltip: [],
  });
  return {
    kind: 'network',
    title: 'warm-up',
    subtitle: '',
    direction: 'DOWN',
    nodes: [box('in'), frame, box('out')],
    edges: [
      edge('e0', 'in', 'a'),
      edge('e1', 'a', 'b', undefined, ['sep_conv_3x3']),
      edge('e2', 'b', 'd', 0),
      edge('e3', 'a', 'c', undefined, ['skip']),
      edge('e4', 'c', 'd', 1),
      edge('e5', 'd', 'out'),
    ],
    totals: { params: 0, macs: 0, acts: 0 },
    choices: [],
    uri: '',
  };
}

/** A worker from the script at `url`: fetched and started from a blob, as a webview may not start a worker from its resource origin. */
export async function workerFactory(url: string): Promise<() => Worker> {
  const text = await (await fetch(url)).text();
  const blobUrl = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  return () => new Worker(blobUrl);
}
