// The editor commands. Search and graph arrive with their own issues; until then each command
// says plainly what is missing instead of doing nothing, and the ones that will run training
// code or spawn processes refuse to run in an untrusted workspace. Fuse for Deployment is
// fuse-command.ts.
import * as vscode from 'vscode';

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
    id: 'nas.showGraph',
    title: 'Show Graph',
    runsCode: false,
    missing: 'the graph view is not part of this version yet. Hover a layer for its shapes and cost, ' + 'or use the Outline view for the structure.',
  },
];

export function registerCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  for (const spec of PENDING_COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(spec.id, (...args: unknown[]) => runPendingCommand(spec, log, args)));
  }
  context.subscriptions.push(vscode.commands.registerCommand('nas.showServerLog', () => log.show(true)));
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
