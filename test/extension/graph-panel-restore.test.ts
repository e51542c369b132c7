/**
 * The graph view's host (src/extension/graph-panel.ts) with a stand-in vscode API and language
 * client: a compare (the dashboard's Compare of two trials) reopened after a window reload from
 * the page's saved state draws both architectures again, not the first alone; a plain graph
 * view still reopens as one graph.
 */
import { describe, expect, it, vi } from 'vitest';
import type { GraphParams, GraphResult } from '../../src/protocol/lsp-extensions.js';
import type { GraphViewState, HostMessage, WebviewMessage } from '../../src/protocol/graph-view.js';
import type { ArchitectureGraph } from '../../src/core/views/architecture.js';
import { NB201_BEST, graphOf } from '../helpers/published-cells.js';

interface FakePanel {
  title: string;
  posted: HostMessage[];
  say(message: WebviewMessage): Promise<void>;
}

const created = vi.hoisted(() => [] as FakePanel[]);

vi.mock('vscode', () => {
  class Uri {
    constructor(readonly path: string) {}
    static parse(text: string) {
      return new Uri(text);
    }
    static joinPath(base: Uri, ...parts: string[]) {
      return new Uri([base.path, ...parts].join('/'));
    }
    toString() {
      return this.path;
    }
  }
  const disposable = { dispose: () => undefined };
  const panel = (title: string) => {
    let listener: ((m: WebviewMessage) => Promise<void>) | undefined;
    const p = {
      title,
      posted: [] as HostMessage[],
      active: true,
      visible: true,
      webview: {
        options: {},
        html: '',
        cspSource: 'vscode-resource:',
        asWebviewUri: (u: Uri) => u,
        postMessage: (m: HostMessage) => {
          p.posted.push(m);
          return Promise.resolve(true);
        },
        onDidReceiveMessage: (f: (m: WebviewMessage) => Promise<void>) => {
          listener = f;
          return disposable;
        },
      },
      onDidDispose: () => disposable,
      reveal: () => undefined,
      dispose: () => undefined,
      // The page speaking; resolves once the host has answered (the host answers `ready` with one message).
      say: async (m: WebviewMessage) => {
        const before = p.posted.length;
        void listener?.(m);
        await vi.waitFor(() => {
          if (p.posted.length === before) throw new Error('no answer yet');
        });
      },
    };
    created.push(p);
    return p;
  };
  return {
    Uri,
    ViewColumn: { One: 1, Beside: -2 },
    workspace: { onDidChangeTextDocument: () => disposable, asRelativePath: (u: Uri) => u.path },
    window: { onDidChangeTextEditorSelection: () => disposable, createWebviewPanel: (_type: string, title: string) => panel(title), __panel: panel },
  };
});

const vscode = (await import('vscode')) as unknown as { Uri: { parse(s: string): unknown }; window: { __panel(title: string): FakePanel } };
const { createGraphPanels } = await import('../../src/extension/graph-panel.js');

function result(g: ArchitectureGraph): GraphResult {
  return { ...g, edges: g.nodes.flatMap((n) => n.inputs.map((from, index) => ({ from, to: n.id, index }))) };
}

const decisionsOf = (g: ArchitectureGraph): Record<string, number> => Object.fromEntries(g.choices.map((c) => [c.key, c.taken]));

describe('the graph panel after a window reload', () => {
  it('reopens a compare as a compare of both architectures, keeping the view the page had', async () => {
    const other = { NB201Cell: { n1: ['nor_conv_1x1'], n2: ['nor_conv_3x3', 'nor_conv_3x3'], n3: ['skip_connect', 'nor_conv_3x3', 'avg_pool_3x3'] } };
    const [a, b] = await Promise.all([graphOf('nb201.nas', 'NB201', NB201_BEST), graphOf('nb201.nas', 'NB201', other)]);
    const [da, db] = [decisionsOf(a), decisionsOf(b)];
    // The language server: the architecture the decisions name.
    const requests: GraphParams[] = [];
    const client = {
      sendRequest: async (_method: string, params: GraphParams) => {
        requests.push(params);
        return result(JSON.stringify(params.decisions) === JSON.stringify(db) ? b : a);
      },
    };
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const context = { extensionUri: vscode.Uri.parse('/ext') };
    const panels = createGraphPanels(context as never, client as never, log as never);

    // The dashboard's Compare: the host picks the cell view and names the second architecture.
    const labels: [string, string] = ['trial 12', 'trial 40'];
    await panels.compare(vscode.Uri.parse(a.uri) as never, 'NB201', [da, db], labels);
    const opened = created.at(-1)!;
    await opened.say({ type: 'ready' });
    const compared = opened.posted.at(-1);
    expect(compared).toMatchObject({
      type: 'compare',
      comparison: { second: db, labels },
      source: { uri: a.uri, name: 'NB201', decisions: da },
      spec: { cell: 'NB201Cell' },
    });

    // The page saved what webview/graph/main.ts saves; VS Code hands it to the serializer.
    const state: GraphViewState = {
      source: { uri: a.uri, name: 'NB201', decisions: da },
      comparison: { second: db, labels },
      spec: { cell: 'NB201Cell', expand: ['g3'] },
      colorBy: 'macs',
    };
    const reloaded = vscode.window.__panel('Graph');
    requests.length = 0;
    await panels.restore(reloaded as never, state);
    await reloaded.say({ type: 'ready', state });
    expect(requests.map((r) => r.decisions)).toEqual([da, db]);
    expect(reloaded.posted).toHaveLength(1);
    const message = reloaded.posted[0] as Extract<HostMessage, { type: 'compare' }>;
    expect(message.type).toBe('compare');
    expect(message.graphs.map((g) => g.choices.map((c) => c.taken))).toEqual([a.choices.map((c) => c.taken), b.choices.map((c) => c.taken)]);
    expect(message.comparison).toEqual({ second: db, labels });
    // No spec: the page keeps its saved view and expansion.
    expect(message.spec).toBeUndefined();
    expect(reloaded.title).toBe('Compare: trial 12 ↔ trial 40');

    // A single graph view still comes back as one graph.
    const single = vscode.window.__panel('Graph');
    const one: GraphViewState = { source: { uri: a.uri, name: 'NB201', decisions: da }, spec: {}, colorBy: 'family' };
    await panels.restore(single as never, one);
    await single.say({ type: 'ready', state: one });
    expect(single.posted.map((m) => m.type)).toEqual(['graph']);
  });
});
