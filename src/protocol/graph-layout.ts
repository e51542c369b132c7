/**
 * Layout of the graph view by the language server: the page sends the ELK graph of the view it
 * built (src/core/views/elk-graph.ts `toElk`) to the extension host, which asks the server's
 * `nas/layout`; the server lays it out on its layout thread (language-server/layout-thread.ts),
 * whose elkjs stays compiled and warm for the editor's session. A fresh page's own worker runs
 * elkjs cold (its first layouts cost several times the CPU of later ones), so the first picture
 * of every panel was slow (docs/adr/0024-graph-layout-in-the-server.md). The page keeps its
 * worker for pages whose host lays out nothing (the fusion panel) and when the server fails.
 */
import { RequestType } from 'vscode-languageserver-protocol';

/**
 * An ELK graph in elkjs' JSON form (elkjs' `ElkNode`: children, ports, edges, labels, layout
 * options; with coordinates once laid out). Only its id is spelled out here: this folder imports
 * no package but the LSP's, and both sides read it with elkjs' own type.
 */
export interface ElkGraph {
  id: string;
}

// ---------------------------------------------------------------- nas/layout (LSP)

export interface LayoutParams {
  /** An ELK graph as `toElk` builds it; every option it needs is in it. */
  graph: ElkGraph;
}

export interface LayoutResult {
  /** The same graph with coordinates, as elkjs' `layout` returns it. */
  graph: ElkGraph;
}

export namespace LayoutRequest {
  export const method = 'nas/layout';
  /** Cancelling the request stops a layout in progress (the server restarts its layout thread). */
  export const type = new RequestType<LayoutParams, LayoutResult, void>(method);
}

// ---------------------------------------------------------------- webview <-> host

/** The page's body carries `data-layout="host"` when its host answers these messages. */
export const HOST_LAYOUT_ATTRIBUTE = 'data-layout';

/** Webview → host: lay out this graph; or stop the layout `id`. */
export type LayoutPageMessage = { type: 'layout'; id: number; graph: ElkGraph } | { type: 'layoutCancel'; id: number };

/** Host → webview: layout `id` done, or failed (the page then lays it out in its own worker). */
export type LayoutHostMessage = { type: 'layoutDone'; id: number; graph: ElkGraph } | { type: 'layoutFailed'; id: number; message: string };

// ---------------------------------------------------------------- server main thread <-> layout thread

/** The `workerData` the layout thread is started with, by which the server bundle knows it runs as that thread. */
export const LAYOUT_THREAD_MARKER = 'nas-layout-thread';

/** Main thread → layout thread. */
export interface LayoutJob {
  id: number;
  graph: ElkGraph;
}

/** Layout thread → main thread. */
export type LayoutReply = { id: number; ok: true; graph: ElkGraph } | { id: number; ok: false; message: string };
