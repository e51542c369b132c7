/**
 * The graph view's page (src/extension/webview-page.ts), whose worker's code is fetched from the
 * webview's resource origin and run from a blob.
 */
import { webviewPage, type WebviewPageAssets } from './webview-page.js';

export interface GraphPageAssets extends WebviewPageAssets {
  worker: string;
}

export function graphPage(a: GraphPageAssets): string {
  return webviewPage(a, { title: 'Graph', csp: [`connect-src ${a.cspSource}`, 'worker-src blob:'], bodyAttributes: { 'data-worker': a.worker } });
}
