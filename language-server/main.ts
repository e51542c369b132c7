/**
 * Entry point of the NAS Studio language server (bundled to dist/language-server.cjs; the
 * extension starts it over stdio or IPC). It serves Langium's LSP features for .nas files plus
 * the custom requests of protocol.ts.
 */
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { createNasLspServices } from './nas-lsp-module.js';
import { registerCustomRequests } from './requests.js';
import { guardConnection } from './connection-guard.js';

const connection = createConnection(ProposedFeatures.all);
const services = createNasLspServices({ connection, ...NodeFileSystem });
guardConnection(connection, services.shared);
startLanguageServer(services.shared);
registerCustomRequests(connection, services);

// Settings changed: ask the client to re-query what depends on them.
services.configuration.onConfigurationSectionUpdate(() => {
  connection.languages.inlayHint.refresh().catch(() => undefined);
  connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
});

// A bug in one request must not take the server down with every open editor.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
