// Starts the bundled language server (dist/language-server.cjs) in a Node process over IPC.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_EXEC_ARGV } from '../protocol/server-launch.js';

export const LANGUAGE_ID = 'nas';
// The graph view's panels talk to the server: they load with the client, not at activation.
export { createGraphPanels } from './graph-panel.js';

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/language-server.cjs');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6009'] } },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.nas');
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    // No scheme filter: files, untitled buffers and code-server's vscode-remote documents alike.
    documentSelector: [{ language: LANGUAGE_ID }],
    outputChannel: log,
    synchronize: {
      // The server pulls `nas.*` with workspace/configuration; pushing changes as well keeps
      // inlay-hint settings live even for a server that only listens to didChangeConfiguration.
      configurationSection: 'nas',
      // Imported files that are not open still change diagnostics of their importers.
      fileEvents: watcher,
    },
  };
  return new LanguageClient('nas', 'NAS Language Server', serverOptions, clientOptions);
}
