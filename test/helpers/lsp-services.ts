/** The language server's services without a client (default settings), the standard library built. */
import { EmptyFileSystem, URI } from 'langium';
import { createNasLspServices } from '../../language-server/nas-lsp-module.js';
import { BUILTIN_DOCUMENTS } from '../../src/core/stdlib/index.js';

export async function startLspServices(): Promise<ReturnType<typeof createNasLspServices>> {
  const services = createNasLspServices({ ...EmptyFileSystem });
  const { shared } = services;
  await shared.workspace.ConfigurationProvider.initialized({});
  const builtins = BUILTIN_DOCUMENTS.map((b) => shared.workspace.LangiumDocumentFactory.fromString(b.text, URI.parse(b.uri)));
  for (const b of builtins) shared.workspace.LangiumDocuments.addDocument(b);
  await shared.workspace.DocumentBuilder.build(builtins, { validation: true });
  return services;
}
