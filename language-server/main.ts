/**
 * Entry point of the NAS Studio language server (bundled to dist/language-server.cjs; the
 * extension starts it over stdio or IPC). It serves Langium's LSP features for .nas files plus
 * the custom requests of protocol.ts. The same bundle, started as a worker thread, computes
 * space statistics (space-stats-worker.ts) or lays out the graph view (layout-thread.ts).
 */
import { startLanguageServer } from 'langium/lsp';
import { SourceFileSystem } from '../src/core/source-files.js';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createNasLspServices } from './nas-lsp-module.js';
import { registerCustomRequests } from './requests.js';
import { registerFuseRequest } from './fuse-request.js';
import { guardConnection } from './connection-guard.js';
import { guardTextDocumentNotifications } from './notification-guard.js';
import { publishFailures } from './build-failures.js';
import { isSpaceStatsWorker, runSpaceStatsWorker } from './space-stats-worker.js';
import { isLayoutThread, runLayoutThread } from './layout-thread.js';
import { registerLayoutRequest } from './layout-request.js';

function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const services = createNasLspServices({ connection, ...SourceFileSystem }, process.argv[1]);
  guardConnection(connection, services.shared);
  guardTextDocumentNotifications(connection, (message) => connection.console.error(message));
  publishFailures(connection, services.shared);
  startLanguageServer(services.shared);
  registerCustomRequests(connection, services);
  registerFuseRequest(connection, services);
  registerLayoutRequest(connection, services.shared, process.argv[1]!);

  // Settings changed, or space figures are ready: ask the client to re-query what shows them.
  const refresh = (): void => {
    connection.languages.inlayHint.refresh().catch(() => undefined);
    connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  };
  services.configuration.onConfigurationSectionUpdate(refresh);
  services.analysis.onSpaceStatsReady(refresh);

  // A bug in one request must not take the server down with every open editor.
  process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
}

if (isSpaceStatsWorker()) void runSpaceStatsWorker();
else if (isLayoutThread()) void runLayoutThread();
else startServer();
