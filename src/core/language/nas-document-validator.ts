/**
 * Gives every diagnostic a stable code (docs/diagnostics.md): syntax errors become `syntax`,
 * unresolved names become `unknown-name` with a "did you mean" from the names in scope.
 */
import { DefaultDocumentValidator, DocumentValidator, type LangiumDocument, type LangiumCoreServices, type ValidationOptions, type ScopeProvider, type LinkingErrorData } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { suggestName } from '../semantics/suggest.js';

export class NasDocumentValidator extends DefaultDocumentValidator {
  private readonly scopes: ScopeProvider;
  constructor(services: LangiumCoreServices) {
    super(services);
    this.scopes = services.references.ScopeProvider;
  }

  protected override processLinkingErrors(document: LangiumDocument, diagnostics: Diagnostic[], options: ValidationOptions): void {
    const start = diagnostics.length;
    super.processLinkingErrors(document, diagnostics, options);
    const refs = document.references.filter((r) => r.error);
    for (let i = start, j = 0; i < diagnostics.length; i++, j++) {
      const d = diagnostics[i]!;
      const ref = refs[j];
      const data = d.data as LinkingErrorData | undefined;
      const name = data?.refText ?? ref?.$refText ?? '';
      let hint: string | undefined;
      if (ref?.error) {
        try {
          const names = this.scopes.getScope(ref.error.info).getAllElements().map((e) => e.name).toArray();
          hint = suggestName(name, names);
        } catch {
          hint = undefined;
        }
      }
      d.message = `unknown name \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ''}`;
      d.code = 'unknown-name';
      d.data = { ...(d.data as object), suggestion: hint };
    }
  }

  override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: Parameters<DocumentValidator['validateDocument']>[2]): Promise<Diagnostic[]> {
    const diagnostics = await super.validateDocument(document, options, cancelToken);
    for (const d of diagnostics) {
      const code = (d.data as { code?: string } | undefined)?.code;
      if (code === DocumentValidator.LexingError || code === DocumentValidator.ParsingError) d.code = 'syntax';
    }
    return diagnostics;
  }
}
