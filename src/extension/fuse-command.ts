// NAS: Fuse for Deployment. The language server computes the deployment form of a network
// (`nas/fuseSource`, src/protocol/fuse.ts: the core's source fusion, as `nas fuse` does) and
// its figures; the extension writes it as NAME.deploy.nas beside the file, asking before it
// replaces anything, and shows the figures before and after; on request, the training-time
// and the deployment text side by side (a diff), or a block before and after in the graph view
// (the server's fusion pairs, fusion-panel.ts). No process is spawned and the .vsix carries no
// CLI: weights are fused by the `nas` CLI (`nas fuse --weights`), which the message names.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { FuseSourceParams, FuseSourceRequest, FuseSourceResult } from '../protocol/fuse.js';
import { describeFusion } from './describe-fusion.js';
import type { GraphPanelsApi } from './graph-panel.js';

// Sent by method name, as the cost status bar does (cost-status-bar.ts says why).
const FUSE_SOURCE_METHOD: typeof FuseSourceRequest.method = 'nas/fuseSource';

export interface FuseOutcome {
  command: 'nas.fuse';
  status: 'written' | 'cancelled' | 'refused' | 'untrusted-workspace' | 'not-ready';
  message?: string;
  /** The file written. */
  target?: string;
}

/** Code lenses and quick fixes pass (uri string, network name); the palette passes nothing: the active editor. */
function targetOf(args: unknown[]): { uri?: vscode.Uri; name?: string } {
  const [first, second] = args;
  const name = typeof second === 'string' ? second : undefined;
  if (first instanceof vscode.Uri) return { uri: first, name };
  if (typeof first === 'string') return { uri: vscode.Uri.parse(first), name };
  const doc = vscode.window.activeTextEditor?.document;
  return { uri: doc?.languageId === 'nas' ? doc.uri : undefined, name };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export class FuseCommand implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly graphs: () => Promise<GraphPanelsApi>,
  ) {
    this.registration = vscode.commands.registerCommand('nas.fuse', (...args: unknown[]) => this.run(args));
  }

  /** Set once the language server runs. */
  attach(client: LanguageClient): void {
    this.client = client;
  }

  dispose(): void {
    this.registration.dispose();
  }

  async run(args: unknown[]): Promise<FuseOutcome> {
    // `enablement` hides the command from menus, but code lenses and quick fixes can still call it.
    if (!vscode.workspace.isTrusted) {
      const message =
        'NAS Studio: Fuse for Deployment is disabled in an untrusted workspace because it writes files into it. Trust this workspace to enable it.';
      this.log.warn('nas.fuse: refused in an untrusted workspace');
      void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return { command: 'nas.fuse', status: 'untrusted-workspace', message };
    }
    const { uri, name } = targetOf(args);
    if (!uri) return this.refuse('open a .nas file with a network to fuse');
    if (!this.client) {
      const message = 'NAS Studio: the language server is still starting; try again in a moment.';
      void vscode.window.showInformationMessage(message);
      return { command: 'nas.fuse', status: 'not-ready', message };
    }
    const params: FuseSourceParams = { uri: uri.toString(), ...(name ? { name } : {}) };
    const result = await this.client.sendRequest<FuseSourceResult>(FUSE_SOURCE_METHOD, params);
    if (!result.ok) return this.refuse(result.message);
    const target = vscode.Uri.parse(result.target);
    const shown = vscode.workspace.asRelativePath(target);
    if (await exists(target)) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
      if (open?.isDirty) return this.refuse(`${shown} has unsaved changes: save or close it first`);
      const choice = await vscode.window.showWarningMessage(
        `${shown} exists. Replace it with the deployment form of ${result.name}?`,
        { modal: true },
        'Replace',
      );
      if (choice !== 'Replace') {
        this.log.info(`nas.fuse: ${shown} kept (not replaced)`);
        return { command: 'nas.fuse', status: 'cancelled' };
      }
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
    const message = describeFusion(result, vscode.workspace.asRelativePath(uri), shown);
    this.log.info(`nas.fuse: ${message}`);
    void vscode.window.showInformationMessage(message, 'Open', 'Diff with the Training Form', 'Show Blocks Before and After').then((choice) => {
      if (choice === 'Open') void vscode.window.showTextDocument(target);
      else if (choice === 'Diff with the Training Form')
        void vscode.commands.executeCommand('vscode.diff', uri, target, `${result.name}: training form ↔ deployment form`);
      else if (choice) void this.showPairs(result);
    });
    return { command: 'nas.fuse', status: 'written', message, target: target.toString() };
  }

  /** A block before and after in the graph view; several distinct block calls: the user picks one. */
  private async showPairs(result: Extract<FuseSourceResult, { ok: true }>): Promise<void> {
    const { blocks } = result.pairs;
    const items = blocks.map((b) => ({
      label: b.title,
      description: `→ ${b.deployTitle}`,
      detail: `${b.instances} use${b.instances === 1 ? '' : 's'}`,
      block: b,
    }));
    const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: `${result.name}: which block to show before and after` });
    if (!picked) return;
    const b = picked.block;
    try {
      (await this.graphs()).showFusion({
        type: 'fusion',
        title: `${b.title} → ${b.deployTitle}`,
        train: { graph: result.pairs.train, group: b.train, label: 'training form' },
        deploy: { graph: result.pairs.deploy, group: b.deploy, label: 'deployment form' },
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`NAS Studio: the graph view needs the language server, which did not start (${(e as Error).message}).`);
    }
  }

  private refuse(reason: string): FuseOutcome {
    const message = `NAS Studio: cannot fuse for deployment: ${reason}.`;
    this.log.info(`nas.fuse: ${reason}`);
    void vscode.window.showWarningMessage(message);
    return { command: 'nas.fuse', status: 'refused', message };
  }
}
