/**
 * Dependency-injection module of the .nas language core (Langium). The language server adds
 * Langium's LSP module on top of this one; the CLI and tests use it as is.
 */
import {
  createDefaultCoreModule,
  createDefaultSharedCoreModule,
  inject,
  type DefaultSharedCoreModuleContext,
  type LangiumCoreServices,
  type LangiumSharedCoreServices,
  type Module,
  type PartialLangiumCoreServices,
  type PartialLangiumSharedCoreServices,
} from 'langium';
import { NasDocumentFactory } from '../syntax/nas-document-factory.js';
import { NasGeneratedModule, NasGeneratedSharedModule, NasLanguageMetaData } from '../syntax/generated/module.js';
import { NasAstNodeDescriptionProvider } from './nas-ast-node-description-provider.js';
import { NasIndexManager } from './nas-index-manager.js';
import { NasReferenceDescriptionProvider } from './nas-reference-description-provider.js';
import { NasScopeComputation } from './nas-scope-computation.js';
import { NasScopeProvider } from './nas-scope-provider.js';
import { NasLinker } from './nas-linker.js';
import { createGuardedParser } from '../syntax/parse-guard.js';
import { NasLexer } from '../syntax/nesting-guard.js';
import { NasDocumentValidator } from './nas-document-validator.js';
import { registerNasChecks } from '../../validation/nas-validator.js';

export type NasServices = LangiumCoreServices;

/**
 * Shared services of the core: the document factory that keeps "parsing never fails" (and parses
 * incrementally), and the index manager that describes references when they are looked up.
 */
export const NasSharedModule: Module<LangiumSharedCoreServices, PartialLangiumSharedCoreServices> = {
  workspace: {
    LangiumDocumentFactory: (services) => new NasDocumentFactory(services),
    IndexManager: (services) => new NasIndexManager(services),
  },
};

export const NasModule: Module<LangiumCoreServices, PartialLangiumCoreServices> = {
  // Production mode skips Chevrotain's checks of the grammar and the token definitions, which
  // every process would otherwise repeat when it builds the parser, and its ambiguity messages
  // on stdout. The grammar is fixed at build time, so test/grammar/parser-definition.test.ts
  // runs those checks once (docs/adr/0026-test-command-time.md).
  LanguageMetaData: () => ({ ...NasLanguageMetaData, mode: 'production' }),
  references: {
    ScopeProvider: (services) => new NasScopeProvider(services),
    ScopeComputation: (services) => new NasScopeComputation(services),
    Linker: (services) => new NasLinker(services),
  },
  workspace: {
    AstNodeDescriptionProvider: (services) => new NasAstNodeDescriptionProvider(services),
    ReferenceDescriptionProvider: (services) => new NasReferenceDescriptionProvider(services),
  },
  validation: {
    DocumentValidator: (services) => new NasDocumentValidator(services),
  },
  parser: {
    LangiumParser: (services) => createGuardedParser(services),
    Lexer: (services) => new NasLexer(services),
  },
};

/**
 * Modules injected after the NAS modules, replacing some services (tests compare the NAS
 * services with Langium's defaults this way).
 */
export interface NasServiceOverrides {
  shared?: Module<LangiumSharedCoreServices, PartialLangiumSharedCoreServices>;
  language?: Module<LangiumCoreServices, PartialLangiumCoreServices>;
}

export function createNasCoreServices(
  context: DefaultSharedCoreModuleContext,
  overrides: NasServiceOverrides = {},
): { shared: LangiumSharedCoreServices; Nas: NasServices } {
  const shared = inject(createDefaultSharedCoreModule(context), NasGeneratedSharedModule, NasSharedModule, overrides.shared ?? {});
  const Nas = inject(createDefaultCoreModule({ shared }), NasGeneratedModule, NasModule, overrides.language ?? {});
  shared.ServiceRegistry.register(Nas);
  registerNasChecks(Nas.validation.ValidationRegistry, () => shared.workspace.LangiumDocuments);
  return { shared, Nas };
}
