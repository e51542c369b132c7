/**
 * The graph view's page (src/extension/webview-page.ts), whose worker's code is fetched from the
 * webview's resource origin and run from a blob.
 */
import { webviewPage, type WebviewPageAssets } from './webview-page.js';
import { HOST_LAYOUT_ATTRIBUTE } from '../protocol/graph-layout.js';

export interface GraphPageAssets extends WebviewPageAssets {
  worker: string;
  /** The host lays out the page's graphs (the language server's nas/layout); the worker is the fallback. */
  hostLayout?: boolean;
}

export function graphPage(a: GraphPageAssets): string {
  const body: Record<string, string> = { 'data-worker': a.worker };
  if (a.hostLayout) body[HOST_LAYOUT_ATTRIBUTE] = 'host';
  return webviewPage(a, { title: 'Graph', csp: [`connect-src ${a.cspSource}`, 'worker-src blob:'], bodyAttributes: body });
}
