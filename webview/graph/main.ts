/**
 * The graph view's page. It receives architectures from the extension host (only after it
 * said `ready`), builds the view asked for (src/core/views), has the worker lay it out, draws
 * the SVG and keeps what the user set (view, expansion, colours, zoom and pan) in the
 * webview state, so that edits, new decisions and window reloads keep it.
 */
import type { GraphResult, Position, Range } from '../../src/protocol/lsp-extensions.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import { buildView, type ViewSpec } from '../../src/core/views/build-view.js';
import { cellNames } from '../../src/core/views/cell-view.js';
import { viewSize, type Scene } from '../../src/core/views/elk-graph.js';
import { fusionPairView, type FusionPair } from '../../src/core/views/fusion-view.js';
import { cssVariablePalette } from '../../src/core/views/palette.js';
import { renderSvg, sceneOffset, styleSheet, type ColorBy } from '../../src/core/views/svg.js';
import { allNodes, type ViewGraph, type ViewNode } from '../../src/core/views/view-model.js';
import type { GraphSource, GraphViewState, HostMessage, WebviewApi } from '../../src/protocol/graph-view.js';
import type { LayoutHostMessage, LayoutPageMessage } from '../../src/protocol/graph-layout.js';
import { Canvas } from './canvas.js';
import { ChoicesPanel } from './choices-panel.js';
import { button, checkbox, el, progressRing, select, textfield, type CheckboxElement, type SelectElement } from './controls.js';
import { exportPng, exportSvg } from './export-picture.js';
import { LayoutCancelled, LayoutClient, workerFactory } from './layout-client.js';

declare function acquireVsCodeApi(): WebviewApi;

/** A GraphResult of the server as the views' plain data (older servers send no groups). */
export function toArchitecture(r: GraphResult): ArchitectureGraph {
  return {
    uri: r.uri,
    name: r.name,
    kind: r.kind,
    nodes: r.nodes,
    groups: r.groups ?? [],
    names: r.names ?? [],
    output: r.output,
    input: r.input,
    totals: r.totals,
    choices: r.choices.map((c) => ({ ...c, labels: c.labels ?? Array.from({ length: c.options }, (_, i) => `option ${i}`) })),
    errors: r.errors,
  };
}

function contains(r: Range | undefined, p: Position): boolean {
  if (!r) return false;
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

type Content =
  | { kind: 'graph'; graph: ArchitectureGraph; other?: { graph: ArchitectureGraph; labels: [string, string] } }
  | { kind: 'fusion'; pair: FusionPair };

class GraphApp {
  private readonly api = acquireVsCodeApi();
  private state: GraphViewState | undefined = this.api.getState();
  private content: Content | undefined;
  private view: ViewGraph | undefined;
  private scene: Scene | undefined;
  private readonly canvas: Canvas;
  private readonly layout: LayoutClient;
  private readonly choices: ChoicesPanel;
  private readonly viewSelect: HTMLElement;
  private readonly spaceBox: CheckboxElement;
  private readonly zeroBox: CheckboxElement;
  private readonly colorSelect: SelectElement;
  private readonly directionSelect: SelectElement;
  private readonly statusLine: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly overlayText: HTMLElement;
  private readonly problem: HTMLElement;
  private search = '';
  private matchAt = -1;
  private selected: string[] = [];
  private renders = 0;
  private pendingRender: Promise<void> = Promise.resolve();

  constructor(root: HTMLElement, spawn: () => Worker) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(styleSheet(cssVariablePalette(), 'var(--vscode-font-family, sans-serif)'));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    // The host lays out on the language server's warm layout thread (src/protocol/graph-layout.ts).
    const hostLayout = document.body.dataset['layout'] === 'host';
    const toHost = this.api as unknown as { postMessage(m: LayoutPageMessage): void };
    this.layout = new LayoutClient(spawn, hostLayout ? (m) => toHost.postMessage(m) : undefined);

    const bar = el('div', 'toolbar');
    this.viewSelect = el('span', 'view-select');
    this.colorSelect = select(
      'Colour boxes by',
      [
        ['family', 'Colour: op family'],
        ['macs', 'Colour: MACs'],
        ['params', 'Colour: params'],
      ],
      this.colorBy,
      (v) => {
        this.update({ colorBy: v as ColorBy }, 'keep');
      },
    );
    this.directionSelect = select(
      'Layout direction',
      [
        ['DOWN', 'Top to bottom'],
        ['RIGHT', 'Left to right'],
      ],
      this.spec.direction ?? 'DOWN',
      (v) => this.update({ spec: { ...this.spec, direction: v as 'DOWN' | 'RIGHT' } }, 'fit'),
    );
    this.spaceBox = checkbox('Options', this.spec.space === true, (v) => this.update({ spec: { ...this.spec, space: v } }, 'anchor'));
    this.spaceBox.title = "List each choice's options on its edge, and draw the inputs not taken";
    this.zeroBox = checkbox('Hide zero', this.spec.hideZero === true, (v) => this.update({ spec: { ...this.spec, hideZero: v } }, 'anchor'));
    const find = textfield(
      'Search by name',
      (v) => this.find(v),
      () => this.nextMatch(),
    );
    bar.append(
      this.viewSelect,
      button('Expand all', 'Expand every block, cell and repeat', () => this.update({ spec: { ...this.spec, expand: 'all' } }, 'fit')),
      button('Collapse all', 'Collapse every block, cell and repeat', () => this.update({ spec: { ...this.spec, expand: [] } }, 'fit')),
      this.colorSelect,
      this.directionSelect,
      this.spaceBox,
      this.zeroBox,
      find,
      button('−', 'Zoom out', () => this.zoom(1 / 1.25)),
      button('+', 'Zoom in', () => this.zoom(1.25)),
      button('Fit', 'Fit the picture to the view', () => {
        this.canvas.fit();
        this.persist();
      }),
      button('SVG', 'Export the picture as SVG', () => void this.exportPicture('svg')),
      button('PNG', 'Export the picture as PNG', () => void this.exportPicture('png')),
    );
    const body = el('div', 'body');
    this.canvas = new Canvas(body, {
      click: (kind, id) => this.click(kind, id),
      toggle: (id) => this.toggle(id),
      moved: () => this.persist(),
    });
    this.choices = new ChoicesPanel(body, (decisions) => this.api.postMessage({ type: 'decisions', decisions }));
    this.problem = el('div', 'problem');
    this.problem.setAttribute('role', 'alert');
    this.canvas.element.append(this.problem);
    this.overlay = el('div', 'layout-progress');
    this.overlayText = el('span', undefined, '');
    this.overlay.append(
      progressRing(),
      this.overlayText,
      button('Cancel', 'Stop this layout', () => this.layout.cancel(), false),
    );
    this.canvas.element.append(this.overlay);
    this.statusLine = el('div', 'status');
    this.statusLine.setAttribute('aria-live', 'polite');
    root.append(bar, body, this.statusLine);
    window.addEventListener('message', (e: MessageEvent<HostMessage | LayoutHostMessage>) => {
      if (e.data.type === 'layoutDone' || e.data.type === 'layoutFailed') this.layout.receive(e.data);
      else this.receive(e.data);
    });
    this.api.postMessage({ type: 'ready', state: this.state });
  }

  private get spec(): ViewSpec {
    return this.state?.spec ?? {};
  }

  private get colorBy(): ColorBy {
    return this.state?.colorBy ?? 'family';
  }

  private receive(msg: HostMessage): void {
    switch (msg.type) {
      case 'graph':
      case 'compare': {
        const graphs = msg.type === 'graph' ? [msg.graph] : msg.graphs;
        const [graph, second] = graphs.map(toArchitecture);
        const comparison = msg.type === 'compare' ? msg.comparison : undefined;
        const other = second && comparison ? { graph: second, labels: comparison.labels } : undefined;
        const keep = msg.type === 'graph' && msg.reason !== 'open';
        const restored = !keep && this.state?.viewport !== undefined && this.content === undefined;
        this.state = { source: msg.source, comparison, spec: msg.spec ?? this.spec, colorBy: this.colorBy, viewport: this.state?.viewport };
        this.content = { kind: 'graph', graph: graph!, other };
        this.showProblem(graph!.errors.length ? `${graph!.name} has errors: ${graph!.errors[0]}` : undefined);
        this.queue(keep ? 'anchor' : restored ? 'restore' : 'fit');
        break;
      }
      case 'fusion':
        this.content = {
          kind: 'fusion',
          pair: {
            title: msg.title,
            train: { graph: toArchitecture(msg.train.graph), group: msg.train.group, label: msg.train.label },
            deploy: { graph: toArchitecture(msg.deploy.graph), group: msg.deploy.group, label: msg.deploy.label },
          },
        };
        this.queue('fit');
        break;
      case 'problem':
        this.showProblem(msg.message);
        break;
      case 'cursor':
        this.cursor(msg.uri, msg.position);
        break;
      case 'export':
        void this.exportPicture(msg.format);
        break;
    }
  }

  private update(change: Partial<GraphViewState>, mode: 'fit' | 'keep' | 'anchor'): void {
    if (!this.state) return;
    this.state = { ...this.state, ...change };
    this.queue(mode);
  }

  /** Renders after the render in progress (a newer layout request cancels an older one in the worker). */
  private queue(mode: 'fit' | 'keep' | 'anchor' | 'restore'): void {
    this.pendingRender = this.pendingRender.then(() => this.render(mode));
  }

  private buildView(): ViewGraph | undefined {
    const c = this.content;
    if (!c) return undefined;
    if (c.kind === 'fusion') return fusionPairView({ ...c.pair, direction: this.spec.direction });
    return buildView(c.graph, this.spec, c.other);
  }

  private async render(mode: 'fit' | 'keep' | 'anchor' | 'restore'): Promise<void> {
    const started = performance.now();
    const view = this.buildView();
    this.refreshControls();
    if (!view) {
      if (this.content?.kind === 'graph' && this.spec.cell) this.showProblem(`${this.content.graph.name} has no instance of ${this.spec.cell}`);
      return;
    }
    const built = performance.now();
    const anchorId = mode === 'anchor' ? this.canvas.centreBox() : undefined;
    const anchorAt = anchorId ? this.canvas.screenPoint(anchorId) : undefined;
    let scene: Scene;
    try {
      scene = await this.layout.layout(view, (ms) => this.showProgress(view, ms));
    } catch (e) {
      this.hideProgress();
      if (e instanceof LayoutCancelled) this.status('Layout cancelled: the previous picture stays.');
      else {
        this.status(`Layout failed: ${(e as Error).message}`);
        this.api.postMessage({ type: 'error', message: `graph layout failed: ${(e as Error).message}` });
      }
      return;
    }
    this.hideProgress();
    const laidOut = performance.now();
    this.view = view;
    this.scene = scene;
    // The choices panel's room first (the fit must leave it); its controls after the picture
    // is painted: two dozen selects took longer to make than a cell's layout.
    const graph = this.content?.kind === 'graph' ? this.content.graph : undefined;
    this.choices.reserve(graph, view);
    requestAnimationFrame(() => setTimeout(() => this.choices.show(graph, view), 0));
    const svg = renderSvg(scene, { colorBy: this.colorBy });
    const size = { width: Number(/ width="(\d+)"/.exec(svg)![1]), height: Number(/ height="(\d+)"/.exec(svg)![1]) };
    this.canvas.mount(svg, scene, sceneOffset(), size);
    if (mode === 'fit') this.canvas.fit();
    else if (mode === 'restore' && this.state?.viewport) this.canvas.viewport = this.state.viewport;
    else if (anchorId && anchorAt) this.canvas.anchor(anchorId, anchorAt);
    this.canvas.mark('selected', this.selected);
    this.find(this.search, false);
    this.persist();
    this.renders++;
    document.body.dataset['renders'] = String(this.renders);
    // The phases, for bench/graph-bench.ts: building the view, laying it out, drawing it.
    const now = performance.now();
    document.body.dataset['renderMs'] = (now - started).toFixed(1);
    document.body.dataset['phases'] = [built - started, laidOut - built, now - laidOut].map((t) => t.toFixed(0)).join('/');
    this.status(`${view.subtitle} · ${viewSize(view)} boxes, laid out in ${this.layout.lastMs.toFixed(0)} ms`);
  }

  private refreshControls(): void {
    const c = this.content;
    const cells = c?.kind === 'graph' ? cellNames(c.graph) : [];
    const current = this.spec.cell ?? '';
    const s: SelectElement = select(
      'What to draw',
      [['', c?.kind === 'graph' ? `${c.graph.kind} ${c.graph.name}` : 'network'], ...cells.map((n) => [n, `cell/block ${n}`] as const)],
      current,
      (v) => this.update({ spec: { ...this.spec, cell: v || undefined } }, 'fit'),
    );
    this.viewSelect.replaceChildren(s);
    this.spaceBox.hidden = !(c?.kind === 'graph' && c.graph.kind === 'space' && this.spec.cell);
    // The host may have set the spec (a code lens on a cell): the controls show what is drawn.
    this.spaceBox.checked = this.spec.space === true;
    this.zeroBox.checked = this.spec.hideZero === true;
    this.colorSelect.value = this.colorBy;
    this.directionSelect.value = this.spec.direction ?? 'DOWN';
  }

  private box(id: string): ViewNode | undefined {
    return this.view ? [...allNodes(this.view.nodes)].find((n) => n.id === id) : undefined;
  }

  private click(kind: 'node' | 'edge', id: string): void {
    const target = kind === 'node' ? this.box(id) : this.view?.edges.find((e) => e.id === id);
    this.selected = [id];
    this.canvas.mark('selected', this.selected);
    const uri = target?.sourceUri ?? this.view?.uri;
    if (target?.range && uri) this.api.postMessage({ type: 'reveal', uri, range: target.range });
  }

  private toggle(id: string): void {
    const n = this.box(id);
    if (!n?.expandable || !n.groupKey || this.content?.kind !== 'graph') return;
    const all = this.content.graph.groups.map((g) => g.key);
    const open = new Set(this.spec.expand === 'all' ? all : (this.spec.expand ?? []));
    if (n.children) open.delete(n.groupKey);
    else open.add(n.groupKey);
    this.update({ spec: { ...this.spec, expand: [...open] } }, 'anchor');
  }

  /** Highlights the boxes and edges made at the editor's cursor. */
  private cursor(uri: string, p: Position): void {
    const c = this.content;
    if (!this.view || c?.kind !== 'graph' || uri !== c.graph.uri) return;
    const at = new Set(c.graph.nodes.filter((n) => !n.sourceUri && contains(n.range, p)).map((n) => n.id));
    const ids: string[] = [];
    for (const n of allNodes(this.view.nodes)) {
      if (n.children) continue;
      if ((!n.sourceUri && contains(n.range, p)) || n.members.some((m) => at.has(m))) ids.push(n.id);
    }
    for (const e of this.view.edges) if (e.members.some((m) => at.has(m))) ids.push(e.id);
    this.selected = ids;
    this.canvas.mark('selected', ids);
    if (ids[0]) this.canvas.reveal(ids[0]);
  }

  private find(text: string, move = true): void {
    this.search = text.trim().toLowerCase();
    const ids = this.search && this.view ? [...allNodes(this.view.nodes)].filter((n) => n.title.toLowerCase().includes(this.search)).map((n) => n.id) : [];
    this.canvas.mark('match', ids);
    if (move) {
      this.matchAt = -1;
      if (ids.length) this.status(`${ids.length} boxes match “${text.trim()}” (Enter: next)`);
    }
  }

  private nextMatch(): void {
    if (!this.view || !this.search) return;
    const ids = [...allNodes(this.view.nodes)].filter((n) => n.title.toLowerCase().includes(this.search)).map((n) => n.id);
    if (!ids.length) return;
    this.matchAt = (this.matchAt + 1) % ids.length;
    const r = this.canvas.element.getBoundingClientRect();
    this.canvas.anchor(ids[this.matchAt]!, { x: r.width / 2, y: r.height / 2 });
    this.persist();
  }

  private zoom(f: number): void {
    this.canvas.zoom(f);
    this.persist();
  }

  private async exportPicture(format: 'svg' | 'png'): Promise<void> {
    await this.pendingRender;
    if (!this.scene || !this.view) return;
    const svg = exportSvg(this.scene, this.colorBy);
    const base = (this.content?.kind === 'graph' ? `${this.content.graph.name}${this.spec.cell ? `-${this.spec.cell}` : ''}` : this.view.title).replace(
      /[^\w.-]+/g,
      '_',
    );
    if (format === 'svg') this.api.postMessage({ type: 'exported', format, data: svg, name: `${base}.svg` });
    else {
      const width = Number(/ width="(\d+)"/.exec(svg)![1]);
      const height = Number(/ height="(\d+)"/.exec(svg)![1]);
      this.api.postMessage({ type: 'exported', format, data: await exportPng(svg, width, height), name: `${base}.png` });
    }
  }

  private persist(): void {
    if (!this.state) return;
    this.state = { ...this.state, viewport: this.canvas.viewport };
    this.api.setState(this.state);
  }

  private showProgress(view: ViewGraph, ms: number): void {
    this.overlayText.textContent = `Laying out ${viewSize(view)} boxes… ${(ms / 1000).toFixed(1)} s`;
    this.overlay.classList.add('shown');
  }

  private hideProgress(): void {
    this.overlay.classList.remove('shown');
  }

  private showProblem(message: string | undefined): void {
    this.problem.textContent = message ?? '';
    this.problem.classList.toggle('shown', message !== undefined);
  }

  private status(text: string): void {
    this.statusLine.textContent = text;
  }
}

export type { GraphSource };

async function start(): Promise<void> {
  const workerUrl = document.body.dataset['worker'];
  const root = document.getElementById('app');
  if (!workerUrl || !root) throw new Error('the graph page lacks its worker address or #app');
  new GraphApp(root, await workerFactory(workerUrl));
}

void start();
