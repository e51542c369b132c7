/**
 * The language server's services: Langium's LSP module composed with the language core
 * (`NasModule`, the generated modules, `registerNasChecks`) and this folder's providers.
 */
import { inject, type Module } from 'langium';
import {
  createDefaultModule,
  createDefaultSharedModule,
  type DefaultSharedModuleContext,
  type LangiumServices,
  type LangiumSharedServices,
  type PartialLangiumServices,
  type PartialLangiumSharedServices,
} from 'langium/lsp';
import { NasGeneratedModule, NasGeneratedSharedModule } from '../src/core/language/syntax/generated/module.js';
import { NasSharedModule } from '../src/core/language/services/nas-module.js';
import { NasModule } from '../src/core/language/services/nas-module.js';
import { registerNasChecks } from '../src/core/validation/nas-validator.js';
import { NasAnalysis } from './analysis.js';
import { SpaceStatsRunner } from './space-stats-worker.js';
import { NasConfigurationProvider } from './settings.js';
import { NasDocumentBuilder, NasDocumentUpdateHandler, NasWorkspaceManager } from './workspace.js';
import { NasInlayHintProvider } from './inlay-hints.js';
import { NasCodeLensProvider } from './code-lens.js';
import { NasHoverProvider } from './hover.js';
import { NasCompletionProvider } from './completion.js';
import { NasSignatureHelpProvider } from './signature-help.js';
import { NasCodeActionProvider } from './code-actions.js';
import { NasSemanticTokenProvider } from './semantic-tokens.js';
import { NasFormatter } from './formatting.js';
import { NasDocumentSymbolProvider } from './document-symbols.js';

export interface NasLanguageServices {
  shared: LangiumSharedServices;
  Nas: LangiumServices;
  analysis: NasAnalysis;
  configuration: NasConfigurationProvider;
}

/** `spaceStatsScript`: the script a worker thread runs for space statistics (the bundle itself). */
export function createNasLspServices(context: DefaultSharedModuleContext, spaceStatsScript?: string): NasLanguageServices {
  const sharedModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {
    workspace: {
      WorkspaceManager: (s) => new NasWorkspaceManager(s),
      DocumentBuilder: (s) => new NasDocumentBuilder(s),
      ConfigurationProvider: (s) => new NasConfigurationProvider(s, context.connection),
    },
    lsp: {
      DocumentUpdateHandler: (s) => new NasDocumentUpdateHandler(s),
    },
  };
  const shared = inject(createDefaultSharedModule(context), NasGeneratedSharedModule, NasSharedModule, sharedModule);
  const analysis = new NasAnalysis(shared, spaceStatsScript ? new SpaceStatsRunner(spaceStatsScript) : undefined);
  const configuration = shared.workspace.ConfigurationProvider as NasConfigurationProvider;
  const lspModule: Module<LangiumServices, PartialLangiumServices> = {
    lsp: {
      InlayHintProvider: () => new NasInlayHintProvider(analysis, configuration),
      CodeLensProvider: () => new NasCodeLensProvider(analysis, configuration),
      HoverProvider: (s) => new NasHoverProvider(s, analysis, configuration),
      CompletionProvider: (s) => new NasCompletionProvider(s),
      SignatureHelp: () => new NasSignatureHelpProvider(),
      CodeActionProvider: () => new NasCodeActionProvider(analysis),
      SemanticTokenProvider: (s) => new NasSemanticTokenProvider(s),
      Formatter: () => new NasFormatter(),
      DocumentSymbolProvider: () => new NasDocumentSymbolProvider(analysis),
    },
  };
  const Nas = inject(createDefaultModule({ shared }), NasGeneratedModule, NasModule as Module<LangiumServices, PartialLangiumServices>, lspModule);
  shared.ServiceRegistry.register(Nas);
  registerNasChecks(Nas.validation.ValidationRegistry, () => shared.workspace.LangiumDocuments);
  return { shared, Nas, analysis, configuration };
}
