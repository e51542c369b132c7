/**
 * The graph view's speed in headless Chromium (playwright-core, /usr/bin/chromium): from the
 * host's `graph` message to the first frame painted after the picture is in the page (build
 * the view, lay it out, render the SVG, mount it). Each case runs on fresh pages, the graph
 * posted as soon as the page says `ready`, and again on the same page. Two layout paths: the
 * panel's (the page sends its ELK graph to the host, which asks the bundled language server's
 * nas/layout over a real LSP client, the server started and warmed up before), and the page's
 * own worker (the fusion panel's path, and the fallback; the worker compiles elkjs as the graph
 * arrives). Targets (issue: architecture views): a 50-node cell < 200 ms; ResNet-50 collapsed
 * < 300 ms, expanded < 1.5 s; EfficientNet-B0 expanded < 2 s.
 * Run: `npm run build && node --import tsx bench/graph-bench.ts` (GRAPH_BENCH_LAYOUT=server or
 * worker for one path only).
 */
import type { GraphResult } from '../src/protocol/lsp-extensions.js';
import type { ArchitectureGraph } from '../src/core/views/architecture.js';
import { architectureOf } from '../src/core/views/from-elaboration.js';
import { findInstance } from '../src/core/views/cell-view.js';
import { buildView, type ViewSpec } from '../src/core/views/build-view.js';
import { networkView } from '../src/core/views/network-view.js';
import { toElk, viewSize } from '../src/core/views/elk-graph.js';
import ELK from 'elkjs/lib/elk.bundled.js';
import { NasWorkspace } from '../src/core/workspace.js';
import { startHarness, type GraphPage, type HostLayout } from '../test/webview/harness.js';
import { LspClient } from '../test/lsp/client.js';
import { LayoutRequest } from '../src/protocol/graph-layout.js';
import { genotypeDecider } from '../test/helpers/genotype.js';
import { NASNET_A } from '../test/helpers/published-cells.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env['GRAPH_BENCH_RUNS'] ?? 5);
const PATHS = (process.env['GRAPH_BENCH_LAYOUT'] ? [process.env['GRAPH_BENCH_LAYOUT']] : ['server', 'worker']) as Array<'server' | 'worker'>;
/** Long enough for the server's warm-up (language-server/layout-thread.ts) on a busy machine. */
const SERVER_WARM_UP_MS = 15_000;

/** The host's part of the panel's layouts (src/extension/graph-panel.ts): nas/layout on the server. */
function viaServer(client: LspClient): HostLayout {
  return async (m) => {
    if (m.type !== 'layout') return undefined;
    try {
      return { type: 'layoutDone', id: m.id, graph: (await client.connection.sendRequest(LayoutRequest.type, { graph: m.graph })).graph };
    } catch (e) {
      return { type: 'layoutFailed', id: m.id, message: (e as Error).message };
    }
  };
}

async function graphOf(ws: NasWorkspace, source: string, name: string, genotypes?: typeof NASNET_A): Promise<ArchitectureGraph> {
  const file = path.join(ROOT, source);
  const doc = await ws.addText(fs.readFileSync(file, 'utf8'), URI.file(file));
  const root = doc.parseResult.value as Parameters<typeof genotypeDecider>[0];
  const def = root.elements.find((e) => e.$type === 'Definition' && e.name === name) as Parameters<typeof architectureOf>[0];
  return architectureOf(def, genotypes ? { decider: genotypeDecider(root, genotypes) } : {}).graph;
}

interface Case {
  name: string;
  target: number;
  graph: ArchitectureGraph;
  spec: ViewSpec;
  boxes: number;
}

function result(g: ArchitectureGraph): GraphResult {
  return { ...g, edges: g.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
}

/**
 * Posts the graph and resolves with the ms until the frame after it was drawn: a mutation
 * observer sees the page count the render and asks for the next animation frame at once.
 */
async function draw(p: GraphPage, c: Case, renders: number): Promise<number> {
  const message = { type: 'graph', graph: result(c.graph), source: { uri: c.graph.uri, name: c.graph.name }, reason: 'open', spec: c.spec };
  return p.page.evaluate(
    ([m, n]) => {
      const g = globalThis as unknown as {
        postMessage(m: unknown, t: string): void;
        requestAnimationFrame(cb: () => void): void;
        MutationObserver: new (cb: () => void) => { observe(target: unknown, o: object): void; disconnect(): void };
        document: { body: { dataset: Record<string, string> } };
      };
      const t0 = performance.now();
      return new Promise<number>((resolve) => {
        const watch = new g.MutationObserver(() => {
          if (Number(g.document.body.dataset['renders'] ?? 0) < n) return;
          watch.disconnect();
          g.requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        watch.observe(g.document.body, { attributes: true });
        g.postMessage(m, '*');
      });
    },
    [message as unknown as Record<string, unknown>, renders] as const,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const ws = new NasWorkspace();
  const nasnet = await graphOf(ws, 'examples/nasnet_space.nas', 'NASNet', NASNET_A);
  const resnet = await graphOf(ws, 'examples/resnet50.nas', 'ResNet50');
  const effnet = await graphOf(ws, 'examples/efficientnet_b0.nas', 'EfficientNetB0');
  // The 50-node cell: a randomly wired cell (bench/fixtures/randwire50.nas, Xie et al. 2019),
  // as its cell view draws it (its nodes, their adds, 148 edges) and with every op a box. And
  // NASNet-A's normal cell with every op a box (the cell's block expanded in place), as a
  // fusion-pair or expanded-network view draws a cell.
  const randwire = await graphOf(ws, 'bench/fixtures/randwire50.nas', 'RandWire50');
  const normal = findInstance(nasnet, 'NormalCell')!;
  const opened: string[] = [];
  for (let at = normal.id; at >= 0; at = nasnet.groups[at]!.parent) opened.push(nasnet.groups[at]!.key);
  for (const grp of nasnet.groups) if (grp.first >= normal.first && grp.end <= normal.end) opened.push(grp.key);
  const cellView = (g: ArchitectureGraph, spec: ViewSpec) =>
    spec.cell ? buildView(g, spec)! : networkView(g, { expand: spec.expand === 'all' ? 'all' : new Set(spec.expand ?? []) });
  const cases: Case[] = [
    { name: 'RandWire 50-node cell, cell view', target: 200, graph: randwire, spec: { cell: 'RandWireCell' }, boxes: 0 },
    { name: 'RandWire 50-node cell, every op a box', target: 200, graph: randwire, spec: { expand: 'all' }, boxes: 0 },
    { name: 'NASNet-A normal cell, cell view', target: 200, graph: nasnet, spec: { cell: 'NormalCell' }, boxes: 0 },
    { name: 'NASNet-A normal cell, every op a box', target: 200, graph: nasnet, spec: { expand: opened }, boxes: 0 },
    { name: 'ResNet-50 collapsed', target: 300, graph: resnet, spec: {}, boxes: 0 },
    { name: 'ResNet-50 expanded', target: 1500, graph: resnet, spec: { expand: 'all' }, boxes: 0 },
    { name: 'EfficientNet-B0 expanded', target: 2000, graph: effnet, spec: { expand: 'all' }, boxes: 0 },
  ];
  for (const c of cases) c.boxes = viewSize(cellView(c.graph, c.spec));
  // A yardstick of the machine's speed meanwhile (these shared machines run 2–3× slower for
  // minutes at a time): elkjs in Node on ResNet-50 expanded, warm, before and after.
  const yardstick = async (): Promise<string> => {
    const view = networkView(resnet, { expand: 'all' });
    const elk = new ELK();
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t = performance.now();
      await elk.layout(toElk(view));
      times.push(performance.now() - t);
    }
    return `${median(times.slice(2)).toFixed(0)} ms`;
  };
  console.log(`yardstick before: elkjs in Node, ResNet-50 expanded, warm median ${await yardstick()}`);
  const harness = await startHarness();
  const client = PATHS.includes('server') ? await LspClient.start() : undefined;
  const serverStarted = performance.now();
  try {
    // The first picture right after the server started (its layout thread not warm yet), once.
    if (client) {
      const p = await harness.open('dark', undefined, viaServer(client));
      const c = cases[0]!;
      console.log(`${c.name}, the server started ${(performance.now() - serverStarted).toFixed(0)} ms before: ${(await draw(p, c, 1)).toFixed(0)} ms`);
      await p.page.close();
      await new Promise((resolve) => setTimeout(resolve, SERVER_WARM_UP_MS));
    }
    for (const layoutPath of PATHS) {
      console.log(
        `graph view in headless Chromium, layout ${layoutPath === 'server' ? "by the language server (the panel's path)" : "in the page's worker"}: ` +
          `${RUNS} fresh pages per case, ms from the graph message to the frame after it is drawn`,
      );
      for (const c of cases) {
        const cold: number[] = [];
        const warm: number[] = [];
        const phases: string[] = [];
        const phasesOf = (p: GraphPage) =>
          p.page.evaluate(() => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset['phases']!);
        for (let r = 0; r < RUNS; r++) {
          const p = await harness.open('dark', undefined, layoutPath === 'server' ? viaServer(client!) : undefined);
          cold.push(await draw(p, c, 1));
          const first = await phasesOf(p);
          warm.push(await draw(p, c, 2));
          phases.push(`${first} then ${await phasesOf(p)}`);
          await p.page.close();
        }
        const m = median(cold);
        console.log(
          `  ${c.name} (${c.boxes} boxes): first ${m.toFixed(0)} ms median [${Math.min(...cold).toFixed(0)}–${Math.max(...cold).toFixed(0)}], ` +
            `again ${median(warm).toFixed(0)} ms (build/layout/draw, first then again: ${phases.join(', ')}); target < ${c.target} ms: ${m < c.target ? 'met' : 'NOT met'}`,
        );
      }
    }
  } finally {
    await harness.close();
    await client?.stop();
  }
  console.log(`yardstick after: elkjs in Node, ResNet-50 expanded, warm median ${await yardstick()}`);
}

await main();
