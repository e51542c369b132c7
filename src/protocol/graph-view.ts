/**
 * The messages of the graph view, declared once for the extension host
 * (src/extension/graph-panel.ts) and the webview (webview/graph/). The
 * host sends nothing before the webview's `ready`; the webview keeps its state (what it
 * shows, expansion, zoom) with VS Code's webview state, which the host's serializer reads
 * back after a window reload.
 */
import type { GraphResult, Position, Range } from './lsp-extensions.js';

/** What a view draws: the network, or one cell or block, and how. */
export interface ViewSpec {
  /** Draw this cell or block (its first instance with distinct inputs); absent: the network. */
  cell?: string;
  /** Expanded groups of the network view: keys or block names, or `all`. */
  expand?: string[] | 'all';
  direction?: 'DOWN' | 'RIGHT';
  hideZero?: boolean;
  /** Options on each chosen edge and the inputs not taken (cell views of spaces). */
  space?: boolean;
}

/** How boxes are tinted: by op family, or on a heat scale of MACs or parameters. */
export type ColorBy = 'family' | 'macs' | 'params';

/** The webview panel type (its serializer restores it after a window reload). */
export const GRAPH_VIEW_TYPE = 'nas.graph';

/** What is drawn: a network or space of a document (and a cell of it), with the choices taken. */
export interface GraphSource {
  uri: string;
  /** The network or space; with `cell`, the first of the file that uses the cell when absent. */
  name?: string;
  /** Options taken at choice keys (a space); absent keys take option 0. */
  decisions?: Record<string, number>;
}

export interface Viewport {
  /** Screen position of the scene's origin, and scale. */
  x: number;
  y: number;
  scale: number;
}

/** A second architecture of the same space, drawn beside `GraphSource`'s (the dashboard's compare). */
export interface Comparison {
  /** The second architecture's options at choice keys (the first's are `GraphSource.decisions`). */
  second: Record<string, number>;
  /** Each side's caption: the first's, then the second's. */
  labels: [string, string];
}

/** The webview's persisted state (vscode.setState); the host reads `source` and `comparison` to reopen it. */
export interface GraphViewState {
  source: GraphSource;
  /** Set while two architectures are compared, so that a reload brings both back. */
  comparison?: Comparison;
  spec: ViewSpec;
  colorBy: ColorBy;
  viewport?: Viewport;
}

// ------------------------------------------------------------ host -> webview

export type HostMessage =
  /** A graph to draw: on open, after an edit (`edit`: keep zoom, pan and expansion) or new decisions. */
  | { type: 'graph'; graph: GraphResult; source: GraphSource; reason: 'open' | 'edit' | 'decisions'; spec?: ViewSpec }
  /** Two architectures of one space side by side. */
  | { type: 'compare'; graphs: [GraphResult, GraphResult]; comparison: Comparison; source: GraphSource; spec?: ViewSpec }
  /** A fusion pair (src/core/views/fusion-view.ts): a block's training form beside its deploy form. */
  | {
      type: 'fusion';
      train: { graph: GraphResult; group?: number; label: string };
      deploy: { graph: GraphResult; group?: number; label: string };
      title: string;
    }
  /** The document has no such network, or it does not elaborate. */
  | { type: 'problem'; message: string }
  /** The editor's cursor: the boxes made there are highlighted. */
  | { type: 'cursor'; uri: string; position: Position }
  /** The export command: the webview answers with `exported`. */
  | { type: 'export'; format: 'svg' | 'png' };

// ------------------------------------------------------------ webview -> host

export type WebviewMessage =
  /** Sent once the page can take messages, with the state it was restored with, if any. */
  | { type: 'ready'; state?: GraphViewState }
  /** A click: reveal where a box or edge was made. */
  | { type: 'reveal'; uri: string; range: Range }
  /** Draw the space with these choices instead (the choices panel). */
  | { type: 'decisions'; decisions: Record<string, number> }
  /** The picture, to save: SVG text, or PNG bytes in base64. */
  | { type: 'exported'; format: 'svg' | 'png'; data: string; name: string }
  /** A failure the user should hear of (a layout that failed). */
  | { type: 'error'; message: string };

// The layout worker runs elkjs' own worker (elk-worker.min.js) and speaks elkjs' protocol
// with elk-api on the page (webview/graph/layout-client.ts): nothing of ours crosses there.

/** The VS Code API of a webview (acquireVsCodeApi), typed with these messages. */
export interface WebviewApi {
  postMessage(message: WebviewMessage): void;
  getState(): GraphViewState | undefined;
  setState(state: GraphViewState): void;
}
