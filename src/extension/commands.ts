// The editor commands. The graph view's panels live in the language client's bundle
// (src/extension/graph-panel.ts), search in its own (src/extension/search/search-feature.ts),
// both loaded on first use; Fuse for Deployment is fuse-command.ts. The commands that run
// training code or spawn processes refuse to run in an untrusted workspace.
import * as vscode from 'vscode';
import type { GraphPanelsApi } from './graph-panel.js';
import { exportPytorchCommand, type LanguageRequests } from './export-pytorch.js';
import type { SearchFeature } from './search/search-feature.js';

/** What a command that may not run here answers. */
export interface PendingFeature {
  command: string;
  available: false;
  reason: 'untrusted-workspace';
  message: string;
}

/** The graph panels, once the language client runs (rejects if it never starts). */
export type GraphPanelsAccess = () => Promise<GraphPanelsApi>;
/** Search in the editor, its bundle loaded on first use. */
export type SearchAccess = () => Promise<SearchFeature>;

/** The search commands: the feature's method each calls, and whether it spawns a search. */
const SEARCH_COMMANDS: readonly { id: string; title: string; method: keyof Omit<SearchFeature, 'restoreDashboard'>; runsCode: boolean }[] = [
  { id: 'nas.search', title: 'Run Search', method: 'run', runsCode: true },
  { id: 'nas.resumeSearch', title: 'Resume Search', method: 'resume', runsCode: true },
  { id: 'nas.cancelSearch', title: 'Cancel Search', method: 'cancel', runsCode: false },
  { id: 'nas.openDashboard', title: 'Open Search Dashboard', method: 'openDashboard', runsCode: false },
  { id: 'nas.openTrial', title: 'Open Architecture', method: 'openTrial', runsCode: false },
  { id: 'nas.exportRunArchitecture', title: 'Export Architecture as .nas', method: 'exportArchitecture', runsCode: false },
  { id: 'nas.exportRunPytorch', title: 'Export Architecture as PyTorch', method: 'exportPytorch', runsCode: false },
  { id: 'nas.deleteRun', title: 'Delete Run', method: 'deleteRun', runsCode: false },
  { id: 'nas.sortRunTrials', title: 'Order Trials by Metric', method: 'sortTrials', runsCode: false },
];

export function registerCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  graphs: GraphPanelsAccess,
  search: SearchAccess,
  requests: LanguageRequests = () => Promise.reject(new Error('no language client')),
): void {
  for (const spec of SEARCH_COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(spec.id, async (...args: unknown[]) => {
        log.info(`${spec.id}${describeTarget(args.filter((a) => typeof a === 'string' || a instanceof vscode.Uri))}`);
        if (spec.runsCode && !vscode.workspace.isTrusted) return refuseUntrusted(spec, log, args);
        try {
          await (await search())[spec.method](args);
        } catch (e) {
          log.error(`${spec.id}: ${(e as Error).stack ?? String(e)}`);
          void vscode.window.showErrorMessage(`NAS Studio: ${spec.title} failed: ${(e as Error).message}`);
        }
        return undefined;
      }),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand('nas.showServerLog', () => log.show(true)),
    vscode.commands.registerCommand('nas.showGraph', (...args: unknown[]) => showGraph(graphs, log, args)),
    vscode.commands.registerCommand('nas.exportGraph', (format?: unknown) => exportGraph(graphs, format)),
    vscode.commands.registerCommand('nas.exportPytorch', (...args: unknown[]) => exportPytorchCommand(requests, log, args)),
  );
}

/** Opens the graph of a definition: a code lens passes (uri, name), the title bar a Uri, the palette nothing (the active editor). */
async function showGraph(graphs: GraphPanelsAccess, log: vscode.LogOutputChannel, args: unknown[]): Promise<boolean> {
  const [first, second] = args;
  const uri = first instanceof vscode.Uri ? first : typeof first === 'string' ? vscode.Uri.parse(first) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('NAS Studio: open a .nas file to show its graph.');
    return false;
  }
  const name = typeof second === 'string' ? second : undefined;
  log.info(`nas.showGraph${describeTarget(args)}`);
  try {
    await (await graphs()).show(uri, name);
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`NAS Studio: the graph view needs the language server, which did not start (${(e as Error).message}).`);
    return false;
  }
}

async function exportGraph(graphs: GraphPanelsAccess, format: unknown): Promise<boolean> {
  const chosen =
    format === 'svg' || format === 'png'
      ? format
      : (
          await vscode.window.showQuickPick(
            [
              { label: 'SVG', description: 'vector picture, theme colours written in', format: 'svg' as const },
              { label: 'PNG', description: 'bitmap at twice the view size', format: 'png' as const },
            ],
            { title: 'Export the graph as' },
          )
        )?.format;
  if (!chosen) return false;
  const done = (await graphs()).exportActive(chosen);
  if (!done) void vscode.window.showInformationMessage('NAS Studio: no graph is open to export. Open one with NAS: Show Graph.');
  return done;
}

// `enablement` hides the command from menus, but code lenses and other extensions can still
// call it, so the trust check is repeated when it runs.
function refuseUntrusted(spec: { id: string; title: string }, log: vscode.LogOutputChannel, args: unknown[]): PendingFeature {
  const message = `NAS Studio: ${spec.title} is disabled in an untrusted workspace because it runs training code and spawns processes. Trust this workspace to enable it.`;
  log.warn(`${spec.id}${describeTarget(args)}: refused in an untrusted workspace`);
  void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return { command: spec.id, available: false, reason: 'untrusted-workspace', message };
}

/** Code lenses pass (uri string, definition name); the palette passes nothing: the active editor. */
function describeTarget(args: unknown[]): string {
  const [first, second] = args;
  let uri: vscode.Uri | undefined;
  if (first instanceof vscode.Uri) uri = first;
  else if (typeof first === 'string') uri = vscode.Uri.parse(first);
  else uri = vscode.window.activeTextEditor?.document.uri;
  const name = typeof second === 'string' ? ` ${second}` : '';
  return uri ? ` (${vscode.workspace.asRelativePath(uri)}${name})` : name;
}
