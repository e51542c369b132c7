// The editor commands. The graph view is here (its panels live in the language client's
// bundle, src/extension/graph-panel.ts); search and fusion arrive with their own issues, and
// until then each says plainly what is missing instead of doing nothing, and the ones that
// will run training code or spawn processes refuse to run in an untrusted workspace.
import * as vscode from 'vscode';
import type { GraphPanelsApi } from './graph-panel.js';

export interface PendingFeature {
  command: string;
  available: false;
  reason: 'untrusted-workspace' | 'not-implemented';
  message: string;
}

interface CommandSpec {
  id: string;
  title: string;
  /** True when the command executes code from the workspace or spawns processes. */
  runsCode: boolean;
  missing: string;
}

const PENDING_COMMANDS: readonly CommandSpec[] = [
  {
    id: 'nas.search',
    title: 'Run Search',
    runsCode: true,
    missing:
      'the search runner (strategies, evaluators and the results view) is not part of this version yet. ' +
      'The search block is already checked: its diagnostics and the space size are live in the editor.',
  },
  {
    id: 'nas.fuse',
    title: 'Fuse for Deployment',
    runsCode: true,
    missing: 'operator fusion (conv+bn folding, re-parameterization) is not part of this version yet.',
  },
];

/** The graph panels, once the language client runs (rejects if it never starts). */
export type GraphPanelsAccess = () => Promise<GraphPanelsApi>;

export function registerCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, graphs: GraphPanelsAccess): void {
  for (const spec of PENDING_COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(spec.id, (...args: unknown[]) => runPendingCommand(spec, log, args)));
  }
  context.subscriptions.push(
    vscode.commands.registerCommand('nas.showServerLog', () => log.show(true)),
    vscode.commands.registerCommand('nas.showGraph', (...args: unknown[]) => showGraph(graphs, log, args)),
    vscode.commands.registerCommand('nas.exportGraph', (format?: unknown) => exportGraph(graphs, format)),
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

async function runPendingCommand(spec: CommandSpec, log: vscode.LogOutputChannel, args: unknown[]): Promise<PendingFeature> {
  const target = describeTarget(args);
  // `enablement` hides the command from menus, but code lenses and other extensions can still
  // call it, so the trust check is repeated here.
  if (spec.runsCode && !vscode.workspace.isTrusted) {
    const message = `NAS Studio: ${spec.title} is disabled in an untrusted workspace because it runs training code and spawns processes. Trust this workspace to enable it.`;
    log.warn(`${spec.id}${target}: refused in an untrusted workspace`);
    void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { command: spec.id, available: false, reason: 'untrusted-workspace', message };
  }
  const message = `NAS Studio: ${spec.title} is not available yet: ${spec.missing}`;
  log.info(`${spec.id}${target}: not available yet`);
  void vscode.window.showInformationMessage(message);
  return { command: spec.id, available: false, reason: 'not-implemented', message };
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
