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
import { NasDocumentFactory } from './nas-document-factory.js';
import { NasGeneratedModule, NasGeneratedSharedModule } from './generated/module.js';
import { NasAstNodeDescriptionProvider, NasReferenceDescriptionProvider, NasScopeComputation, NasScopeProvider } from './nas-scope-provider.js';
import { NasLinker } from './nas-linker.js';
import { guardParser } from './parse-guard.js';
import { NasDocumentValidator } from './nas-document-validator.js';
import { registerNasChecks } from '../validation/nas-validator.js';

export type NasServices = LangiumCoreServices;

/** Shared services of the core: the document factory that keeps "parsing never fails". */
export const NasSharedModule: Module<LangiumSharedCoreServices, PartialLangiumSharedCoreServices> = {
  workspace: {
    LangiumDocumentFactory: (services) => new NasDocumentFactory(services),
  },
};

export const NasModule: Module<LangiumCoreServices, PartialLangiumCoreServices> = {
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
};

export function createNasCoreServices(context: DefaultSharedCoreModuleContext): { shared: LangiumSharedCoreServices; Nas: NasServices } {
  const shared = inject(createDefaultSharedCoreModule(context), NasGeneratedSharedModule, NasSharedModule);
  const Nas = inject(createDefaultCoreModule({ shared }), NasGeneratedModule, NasModule);
  shared.ServiceRegistry.register(Nas);
  registerNasChecks(Nas.validation.ValidationRegistry, () => shared.workspace.LangiumDocuments);
  guardParser(Nas);
  return { shared, Nas };
}
