/**
 * `nas/layout` (src/protocol/graph-layout.ts): the graph view's layouts on the server's layout
 * thread, warm for the whole session; the LSP cancellation token stops one in progress.
 */
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import type { LangiumSharedServices } from 'langium/lsp';
import { LayoutRequest, type LayoutResult } from '../src/protocol/graph-layout.js';
import { LayoutThread } from './layout-thread.js';

/** The warm-up waits this long after start, so that it does not slow the first diagnostics. */
const WARM_UP_DELAY_MS = 2000;

export function registerLayoutRequest(connection: Connection, shared: LangiumSharedServices, script: string): LayoutThread {
  const thread = new LayoutThread(script);
  connection.onRequest(LayoutRequest.type, async (params, token): Promise<LayoutResult> => {
    // Cancelled before it was dispatched (the editor cancels at once when a newer one replaces it).
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'layout cancelled');
    const job = thread.layout(params.graph);
    const stop = token.onCancellationRequested(() => job.cancel());
    try {
      return { graph: await job.result };
    } catch (e) {
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'layout cancelled');
      throw e;
    } finally {
      stop.dispose();
    }
  });
  shared.lsp.LanguageServer.onInitialized(() => setTimeout(() => thread.warmUp(), WARM_UP_DELAY_MS).unref());
  return thread;
}
