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
} from 'langium';
import { NasGeneratedModule, NasGeneratedSharedModule } from './generated/module.js';
import { NasScopeComputation, NasScopeProvider } from './nas-scope-provider.js';
import { NasDocumentValidator } from './nas-document-validator.js';
import { registerNasChecks } from '../validation/nas-validator.js';

export type NasServices = LangiumCoreServices;

export const NasModule: Module<LangiumCoreServices, PartialLangiumCoreServices> = {
  references: {
    ScopeProvider: (services) => new NasScopeProvider(services),
    ScopeComputation: (services) => new NasScopeComputation(services),
  },
  validation: {
    DocumentValidator: (services) => new NasDocumentValidator(services),
  },
};

export function createNasCoreServices(context: DefaultSharedCoreModuleContext): { shared: LangiumSharedCoreServices; Nas: NasServices } {
  const shared = inject(createDefaultSharedCoreModule(context), NasGeneratedSharedModule);
  const Nas = inject(createDefaultCoreModule({ shared }), NasGeneratedModule, NasModule);
  shared.ServiceRegistry.register(Nas);
  registerNasChecks(Nas.validation.ValidationRegistry, () => shared.workspace.LangiumDocuments);
  return { shared, Nas };
}
