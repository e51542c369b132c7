/**
 * The graph view's host side: a webview panel per drawn network, fed by the language
 * server's `nas/graph`. It sends nothing before the page says `ready`, follows edits of the
 * document (debounced) and the editor's cursor, reveals what the user clicks, saves exports
 * and, through the serializer, reopens after a window reload from the page's own state.
 * Loaded with the language client (dist/language-client.cjs), never at activation.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { GraphParams, GraphResult } from '../protocol/lsp-extensions.js';
import { GRAPH_VIEW_TYPE, type Comparison, type GraphSource, type GraphViewState, type HostMessage, type WebviewMessage } from '../protocol/graph-view.js';
import { LayoutRequest, type LayoutHostMessage, type LayoutPageMessage, type LayoutParams, type LayoutResult } from '../protocol/graph-layout.js';
import { compareCell } from './compare-focus.js';
import { graphHtml } from './graph-html.js';
import { openFusionPanel, type FusionMessage } from './fusion-panel.js';

/** `GraphRequest.method` of src/protocol/lsp-extensions.ts. */
const GRAPH_METHOD = 'nas/graph';
/** Edits arriving within this long are drawn once. */
const EDIT_DEBOUNCE_MS = 400;

/** What the extension's activation bundle calls (src/extension/extension.ts, commands.ts). */
export interface GraphPanelsApi {
  /** `decisions`: a space's choices (a search trial's architecture); absent keys take option 0. */
  show(uri: vscode.Uri, name: string | undefined, decisions?: Record<string, number>, column?: vscode.ViewColumn): Promise<void>;
  restore(panel: vscode.WebviewPanel, state: GraphViewState | undefined): Promise<void>;
  exportActive(format: 'svg' | 'png'): boolean;
  /**
   * Two architectures of one space side by side, their differences marked (the search
   * dashboard's compare): in the cell all choices live in, else the network.
   */
  compare(
    uri: vscode.Uri,
    name: string,
    decisions: [Record<string, number>, Record<string, number>],
    labels: [string, string],
    column?: vscode.ViewColumn,
  ): Promise<void>;
  /** A block before and after fusion, side by side (fusion-panel.ts). */
  showFusion(message: FusionMessage): void;
}

class GraphPanel {
  private ready = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** What the user asked to open (a network, space, cell or block name), until it is drawn. */
  private opening: { name: string | undefined } | undefined;
  /** Set while the panel compares two architectures (source.decisions is the first's); `fresh` until the asked-for compare is drawn. */
  private comparing: (Comparison & { fresh: boolean }) | undefined;
  /** The page's layouts the server is running (src/protocol/graph-layout.ts), by the page's id. */
  private readonly layouts = new Map<number, vscode.CancellationTokenSource>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    public source: GraphSource,
    private readonly client: LanguageClient,
    private readonly log: vscode.LogOutputChannel,
    private readonly onDispose: () => void,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: WebviewMessage | LayoutPageMessage) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== this.source.uri || e.contentChanges.length === 0) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.send('edit'), EDIT_DEBOUNCE_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (!this.ready || e.textEditor.document.uri.toString() !== this.source.uri) return;
        const p = e.selections[0]!.active;
        this.post({ type: 'cursor', uri: this.source.uri, position: { line: p.line, character: p.character } });
      }),
    );
  }

  /** Shows `name` (a network, space, cell or block) of `source.uri`; `asked` when the user asked for it (not a restore). */
  open(source: GraphSource, asked: boolean): void {
    this.source = source;
    this.comparing = undefined;
    this.opening = asked ? { name: source.name } : undefined;
    this.panel.title = `Graph: ${source.name ?? vscode.workspace.asRelativePath(vscode.Uri.parse(source.uri))}`;
    if (this.ready) void this.send('open');
  }

  /**
   * Shows two architectures of the space `source.name` side by side (`source.decisions`, then
   * `comparison.second`); `asked` when the user asked for it (a restore keeps the page's view).
   */
  compare(source: GraphSource, comparison: Comparison, asked: boolean): void {
    this.source = source;
    this.opening = undefined;
    this.comparing = { second: comparison.second, labels: comparison.labels, fresh: asked };
    this.panel.title = `Compare: ${comparison.labels[0]} ↔ ${comparison.labels[1]}`;
    if (this.ready) void this.send('open');
  }

  get isComparing(): boolean {
    return this.comparing !== undefined;
  }

  private post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async request(decisions = this.source.decisions): Promise<GraphResult | null> {
    const params: GraphParams = { uri: this.source.uri, name: this.opening?.name ?? this.source.name, decisions };
    return this.client.sendRequest<GraphResult | null>(GRAPH_METHOD, params);
  }

  private async send(reason: 'open' | 'edit' | 'decisions'): Promise<void> {
    if (this.comparing) return this.sendCompare(reason, this.comparing);
    let graph: GraphResult | null;
    try {
      graph = await this.request();
    } catch (e) {
      this.log.error(`nas/graph failed: ${(e as Error).message}`);
      this.post({ type: 'problem', message: `The language server could not draw this: ${(e as Error).message}` });
      return;
    }
    if (!graph) {
      const name = this.opening?.name ?? this.source.name;
      this.post({
        type: 'problem',
        message: `${name ?? 'This file'} is not a network or space of ${vscode.workspace.asRelativePath(vscode.Uri.parse(this.source.uri))}, nor a block or cell one of them uses.`,
      });
      return;
    }
    // From here on the panel draws the network the server chose (a cell's first user); a
    // fresh open shows the cell asked for, or the network.
    this.source = { ...this.source, name: graph.name };
    const spec = this.opening ? { cell: graph.focus } : undefined;
    this.opening = undefined;
    this.post({ type: 'graph', graph, source: this.source, reason, spec });
  }

  /** Both architectures, drawn by the page's compare view (src/core/views/compare-view.ts). */
  private async sendCompare(reason: 'open' | 'edit' | 'decisions', c: NonNullable<GraphPanel['comparing']>): Promise<void> {
    let graphs: [GraphResult | null, GraphResult | null];
    try {
      graphs = await Promise.all([this.request(), this.request(c.second)]);
    } catch (e) {
      this.log.error(`nas/graph failed: ${(e as Error).message}`);
      this.post({ type: 'problem', message: `The language server could not draw this: ${(e as Error).message}` });
      return;
    }
    const [a, b] = graphs;
    if (!a || !b || a.kind !== 'space') {
      this.post({
        type: 'problem',
        message: `${this.source.name ?? 'This file'} is not a space of ${vscode.workspace.asRelativePath(vscode.Uri.parse(this.source.uri))}.`,
      });
      return;
    }
    const cell = compareCell(a);
    // An edit or a restore keeps what the user chose in the page (view, expansion); a compare
    // the user asked for picks the view.
    const spec = c.fresh && reason === 'open' ? (cell ? { cell } : {}) : undefined;
    c.fresh = false;
    this.post({ type: 'compare', graphs: [a, b], comparison: { second: c.second, labels: c.labels }, source: this.source, spec });
  }

  private async receive(m: WebviewMessage | LayoutPageMessage): Promise<void> {
    switch (m.type) {
      case 'layout':
        return this.layout(m.id, m.graph);
      case 'layoutCancel':
        this.layouts.get(m.id)?.cancel();
        break;
      case 'ready':
        this.ready = true;
        if (m.state?.source) this.source = m.state.source;
        await this.send('open');
        break;
      case 'reveal': {
        const uri = vscode.Uri.parse(m.uri);
        const range = new vscode.Range(m.range.start.line, m.range.start.character, m.range.end.line, m.range.end.character);
        const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === m.uri)?.viewColumn ?? vscode.ViewColumn.One;
        const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, preserveFocus: false, selection: range });
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        break;
      }
      case 'decisions':
        this.comparing = undefined;
        this.source = { ...this.source, decisions: m.decisions };
        await this.send('decisions');
        break;
      case 'exported':
        await this.save(m.format, m.data, m.name);
        break;
      case 'error':
        this.log.warn(`graph view: ${m.message}`);
        break;
    }
  }

  /** Lays out the page's ELK graph on the language server's warm layout thread (nas/layout). */
  private async layout(id: number, graph: LayoutParams['graph']): Promise<void> {
    const cancel = new vscode.CancellationTokenSource();
    this.layouts.set(id, cancel);
    let reply: LayoutHostMessage;
    try {
      const r = await this.client.sendRequest<LayoutResult>(LayoutRequest.method, { graph }, cancel.token);
      reply = { type: 'layoutDone', id, graph: r.graph };
    } catch (e) {
      if (!cancel.token.isCancellationRequested) this.log.warn(`nas/layout failed: ${(e as Error).message}`);
      reply = { type: 'layoutFailed', id, message: (e as Error).message };
    } finally {
      this.layouts.delete(id);
      cancel.dispose();
    }
    if (this.ready) void this.panel.webview.postMessage(reply);
  }

  exportPicture(format: 'svg' | 'png'): void {
    this.post({ type: 'export', format });
  }

  private async save(format: 'svg' | 'png', data: string, name: string): Promise<void> {
    const folder = vscode.Uri.joinPath(vscode.Uri.parse(this.source.uri), '..');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, name),
      filters: format === 'svg' ? { 'SVG picture': ['svg'] } : { 'PNG picture': ['png'] },
      title: `Export the graph as ${format.toUpperCase()}`,
    });
    if (!target) return;
    const bytes = format === 'svg' ? new TextEncoder().encode(data) : Uint8Array.from(Buffer.from(data, 'base64'));
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log.info(`graph exported to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Graph exported to ${vscode.workspace.asRelativePath(target)}.`);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const c of this.layouts.values()) c.cancel();
    for (const d of this.disposables) d.dispose();
    this.onDispose();
  }
}

export function createGraphPanels(context: vscode.ExtensionContext, client: LanguageClient, log: vscode.LogOutputChannel): GraphPanelsApi {
  const panels = new Set<GraphPanel>();
  const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const setUp = (panel: vscode.WebviewPanel, source: GraphSource): GraphPanel => {
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    panel.iconPath = undefined;
    panel.webview.html = graphHtml(panel.webview, root, { hostLayout: true });
    const p = new GraphPanel(panel, source, client, log, () => panels.delete(p));
    panels.add(p);
    return p;
  };
  return {
    async show(uri, name, decisions, column = vscode.ViewColumn.Beside) {
      const source: GraphSource = { uri: uri.toString(), name, decisions };
      const existing = [...panels].find((p) => p.source.uri === source.uri && !p.isComparing);
      if (existing) {
        existing.open(source, true);
        existing.panel.reveal(undefined, false);
        return;
      }
      const panel = vscode.window.createWebviewPanel(
        GRAPH_VIEW_TYPE,
        'Graph',
        { viewColumn: column, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [root] },
      );
      setUp(panel, source).open(source, true);
    },
    async compare(uri, name, decisions, labels, column = vscode.ViewColumn.Beside) {
      const source: GraphSource = { uri: uri.toString(), name, decisions: decisions[0] };
      // A comparison gets a panel of its own, or the one already comparing in this file: the
      // single-architecture view of the file stays as it was.
      let p = [...panels].find((x) => x.isComparing && x.source.uri === source.uri);
      if (!p) {
        const panel = vscode.window.createWebviewPanel(
          GRAPH_VIEW_TYPE,
          'Compare',
          { viewColumn: column, preserveFocus: true },
          { enableScripts: true, localResourceRoots: [root] },
        );
        p = setUp(panel, source);
      } else p.panel.reveal(undefined, false);
      p.compare(source, { second: decisions[1], labels }, true);
    },
    async restore(panel, state) {
      if (!state?.source) {
        panel.dispose();
        return;
      }
      const p = setUp(panel, state.source);
      if (state.comparison) p.compare(state.source, state.comparison, false);
      else p.open(state.source, false);
    },
    showFusion(message) {
      openFusionPanel(root, message, log);
    },
    exportActive(format) {
      const active = [...panels].find((p) => p.panel.active) ?? [...panels].find((p) => p.panel.visible);
      active?.exportPicture(format);
      return active !== undefined;
    },
  };
}
