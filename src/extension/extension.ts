// NAS Studio's VS Code entry point. Activation only sets up what must exist at once (the log
// channel, the commands, the status bar item) and returns; the language client, which is most
// of the code, lives in its own bundle (dist/language-client.cjs) that is loaded and started on
// the next turn of the event loop. VS Code counts loading this file plus the `activate` call as
// activation time, and parsing the client alone took 100–300 ms on a busy machine.
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands.js';
import { CostStatusBar } from './cost-status-bar.js';
import { FuseCommand } from './fuse-command.js';
import type { GraphPanelsApi } from './graph-panel.js';
import { GRAPH_VIEW_TYPE, type GraphViewState } from '../protocol/graph-view.js';
import { DASHBOARD_VIEW_TYPE, type DashboardState } from '../protocol/dashboard.js';
import type { SearchFeature } from './search/search-feature.js';

type LanguageClientModule = typeof import('./language-client.js');
type SearchModule = typeof import('./search/search-feature.js');

// Wall-clock time when this bundle finished evaluating, to tell VS Code's share of the
// activation time (loading, creating the extension context) from the extension's own.
const moduleEvaluatedAt = Date.now();

let client: LanguageClient | undefined;
let stopping = false;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  stopping = false;
  const log = vscode.window.createOutputChannel('NAS Language Server', { log: true });
  context.subscriptions.push(log);
  // The graph panels come with the language client; commands and the serializer wait for them.
  let graphsReady!: (api: GraphPanelsApi) => void;
  let graphsFailed!: (error: Error) => void;
  const graphs = new Promise<GraphPanelsApi>((resolve, reject) => {
    graphsReady = resolve;
    graphsFailed = reject;
  });
  graphs.catch(() => undefined);
  let clientReady!: (c: LanguageClient) => void;
  let clientFailed!: (error: Error) => void;
  const languageClient = new Promise<LanguageClient>((resolve, reject) => {
    clientReady = resolve;
    clientFailed = reject;
  });
  languageClient.catch(() => undefined);
  // Search is a bundle of its own too (dist/search.cjs), loaded on first use.
  let search: SearchFeature | undefined;
  const searchFeature = async (): Promise<SearchFeature> => {
    if (!search) {
      const load = createRequire(context.asAbsolutePath('package.json'));
      const { createSearchFeature } = load(context.asAbsolutePath('dist/search.cjs')) as SearchModule;
      search = createSearchFeature(context, () => graphs);
    }
    return search;
  };
  registerCommands(
    context,
    log,
    () => graphs,
    searchFeature,
    () => languageClient,
  );
  // Registered during activation, so that VS Code hands back the panels open before a reload.
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await graphs).restore(panel, state as GraphViewState | undefined),
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => (await searchFeature()).restoreDashboard(panel, state as DashboardState | undefined),
    }),
  );
  const statusBar = new CostStatusBar(log);
  context.subscriptions.push(statusBar);
  const fuse = new FuseCommand(log, () => graphs);
  context.subscriptions.push(fuse);
  setImmediate(
    () =>
      void startLanguageClient(
        context,
        log,
        statusBar,
        fuse,
        (api, c) => {
          graphsReady(api);
          clientReady(c);
        },
        (e) => {
          graphsFailed(e);
          clientFailed(e);
        },
      ),
  );
  // The NAS Runs view gets its data from the search bundle: loaded after activation, not during it.
  setImmediate(() => void searchFeature().catch((e: Error) => log.error(`search: ${e.message}`)));
  // The e2e run reads this line from the logs.
  log.info(
    `NAS Studio activated in ${(performance.now() - started).toFixed(1)} ms ` +
      `(bundle evaluated at ${new Date(moduleEvaluatedAt).toISOString()}, activate called ${Date.now() - moduleEvaluatedAt} ms later)`,
  );
}

async function startLanguageClient(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  statusBar: CostStatusBar,
  fuse: FuseCommand,
  graphsReady: (api: GraphPanelsApi, client: LanguageClient) => void,
  graphsFailed: (error: Error) => void,
): Promise<void> {
  const begun = performance.now();
  try {
    // A run-time load of the separate bundle, which esbuild therefore leaves out of this one.
    const load = createRequire(context.asAbsolutePath('package.json'));
    const { createLanguageClient, createGraphPanels } = load(context.asAbsolutePath('dist/language-client.cjs')) as LanguageClientModule;
    if (stopping) return;
    client = createLanguageClient(context, log);
    await client.start();
    log.info(`language server ready ${(performance.now() - begun).toFixed(0)} ms after activation`);
    statusBar.attach(client);
    fuse.attach(client);
    graphsReady(createGraphPanels(context, client, log), client);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    graphsFailed(error instanceof Error ? error : new Error(reason));
    log.error(`language server failed to start: ${reason}`);
    statusBar.showError('the language server did not start');
    const choice = await vscode.window.showErrorMessage(`NAS Studio: the language server did not start (${reason}).`, 'Show Log');
    if (choice) log.show(true);
  }
}

export async function deactivate(): Promise<void> {
  stopping = true;
  const running = client;
  client = undefined;
  // stop() rejects when the server never started; shutting down must not surface that.
  await running?.stop().catch(() => undefined);
}
