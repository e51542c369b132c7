// NAS Studio's VS Code entry point: starts the language server, then adds the status bar and
// the commands. Activation stays cheap (the server starts in the background and is not
// awaited) because VS Code blocks the file's first features on `activate` returning.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands.js';
import { CostStatusBar } from './cost-status-bar.js';
import { createLanguageClient } from './language-client.js';

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('NAS Language Server', { log: true });
  context.subscriptions.push(log);

  registerCommands(context, log);
  client = createLanguageClient(context, log);
  const languageClient = client;
  const statusBar = new CostStatusBar(languageClient, log);
  context.subscriptions.push(statusBar);

  const clientStart = performance.now();
  languageClient.start().then(
    () => {
      log.info(`language server ready in ${(performance.now() - clientStart).toFixed(0)} ms`);
      statusBar.refresh();
    },
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      log.error(`language server failed to start: ${reason}`);
      statusBar.showError('the language server did not start');
      void vscode.window.showErrorMessage(`NAS Studio: the language server did not start (${reason}).`, 'Show Log').then(
        (choice) => choice && log.show(true),
      );
    },
  );
  // The e2e run and `npm run bench:activation` read this line.
  log.info(`NAS Studio activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  // stop() rejects when the server never started; shutting down must not surface that.
  await running?.stop().catch(() => undefined);
}
