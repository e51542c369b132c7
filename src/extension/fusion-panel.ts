/**
 * The graph view showing a fusion pair: a training-time block beside the deployment block it
 * became (NAS: Fuse for Deployment, fuse-command.ts). The same page as the graph view
 * (graph-html.ts), sent one `fusion` message once it is ready (src/protocol/graph-view.ts);
 * a click on a box reveals its source when the file is there, exports are saved like the
 * graph view's. Loaded with the language client (dist/language-client.cjs).
 */
import * as vscode from 'vscode';
import { GRAPH_VIEW_TYPE, type HostMessage, type WebviewMessage } from '../protocol/graph-view.js';
import { graphHtml } from './graph-html.js';

export type FusionMessage = Extract<HostMessage, { type: 'fusion' }>;

export function openFusionPanel(root: vscode.Uri, message: FusionMessage, log: vscode.LogOutputChannel): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(
    GRAPH_VIEW_TYPE,
    `Fusion: ${message.title}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: true, localResourceRoots: [root] },
  );
  panel.webview.html = graphHtml(panel.webview, root);
  const receive = async (m: WebviewMessage): Promise<void> => {
    switch (m.type) {
      case 'ready':
        await panel.webview.postMessage(message);
        break;
      case 'reveal': {
        const range = new vscode.Range(m.range.start.line, m.range.start.character, m.range.end.line, m.range.end.character);
        try {
          await vscode.window.showTextDocument(vscode.Uri.parse(m.uri), { viewColumn: vscode.ViewColumn.One, selection: range });
        } catch (e) {
          log.info(`fusion view: cannot reveal ${m.uri}: ${(e as Error).message}`);
        }
        break;
      }
      case 'exported': {
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(vscode.Uri.parse(message.train.graph.uri), '..', m.name),
          filters: m.format === 'svg' ? { 'SVG picture': ['svg'] } : { 'PNG picture': ['png'] },
          title: `Export the fusion pair as ${m.format.toUpperCase()}`,
        });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, m.format === 'svg' ? new TextEncoder().encode(m.data) : Uint8Array.from(Buffer.from(m.data, 'base64')));
        break;
      }
      case 'error':
        log.warn(`fusion view: ${m.message}`);
        break;
      case 'decisions':
        break;
    }
  };
  const subscription = panel.webview.onDidReceiveMessage((m: WebviewMessage) => void receive(m));
  panel.onDidDispose(() => subscription.dispose());
  return panel;
}
