/** The graph view's page for a webview (graph-page.ts), its assets under the extension's dist/webview. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { graphPage } from './graph-page.js';

/** `hostLayout`: the host answers the page's layout messages (src/protocol/graph-layout.ts). */
export function graphHtml(webview: vscode.Webview, root: vscode.Uri, options: { hostLayout?: boolean } = {}): string {
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
  return graphPage({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    script: asset('graph.js'),
    worker: asset('graph-worker.js'),
    styles: [asset('graph.css')],
    hostLayout: options.hostLayout,
  });
}
