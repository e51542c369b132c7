/**
 * Gives every diagnostic a stable code (listed in docs/cli.md): syntax errors become `syntax`,
 * unresolved names become `unknown-name` with a "did you mean" from the names in scope.
 */
import {
  DefaultDocumentValidator,
  DocumentValidator,
  type LangiumDocument,
  type LangiumCoreServices,
  type ValidationOptions,
  type ScopeProvider,
  type LinkingErrorData,
} from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { suggestName } from '../semantics/suggest.js';
import { bumpElaborationEpoch } from '../semantics/evaluator.js';

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
          const names = this.scopes
            .getScope(ref.error.info)
            .getAllElements()
            .map((e) => e.name)
            .toArray();
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

  override async validateDocument(
    document: LangiumDocument,
    options?: ValidationOptions,
    cancelToken?: Parameters<DocumentValidator['validateDocument']>[2],
  ): Promise<Diagnostic[]> {
    bumpElaborationEpoch(document.parseResult.value);
    const diagnostics = await super.validateDocument(document, options, cancelToken);
    for (const d of diagnostics) {
      const code = (d.data as { code?: string } | undefined)?.code;
      if (code === DocumentValidator.LexingError || code === DocumentValidator.ParsingError) {
        d.code = 'syntax';
        d.message = summarizeSyntaxMessage(d.message);
      }
    }
    return diagnostics;
  }
}

const TOKEN_WORDS: Record<string, string> = { NUMBER: 'a number', STRING: 'a string', ID: 'a name', EOF: 'the end of the file' };
const NAME_KEYWORDS = new Set(['int', 'float', 'bool', 'string', 'tensor', 'layer', 'list', 'any']);

/**
 * Chevrotain lists every alternative token sequence ("Expecting: one of these possible Token
 * sequences: 1. [NUMBER] 2. [STRING] ..."); say the same in one line a person can read:
 * "expected a number, a string or a name, found `{`".
 */
export function summarizeSyntaxMessage(message: string): string {
  const found = /but found:? ['`](.*?)['`]\.?\s*$/s.exec(message)?.[1];
  const alternatives = [...message.matchAll(/^\s*\d+\.\s*\[(.+?)\]\s*$/gm)].map((m) => m[1]!.trim());
  if (alternatives.length === 0) {
    const single = /Expecting token of type '(.+?)' but found `(.*?)`/s.exec(message);
    if (!single) return message;
    return `expected ${describeToken(single[1]!)}, found ${single[2] === '' ? 'the end of the file' : `\`${single[2]}\``}`;
  }
  const words: string[] = [];
  for (const alt of alternatives) {
    const w = alt.split(/,\s*/).map(describeToken).join(' ');
    if (!words.includes(w)) words.push(w);
  }
  const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : words[0]!;
  return `expected ${list}, found ${found === undefined || found === '' ? 'the end of the file' : `\`${found}\``}`;
}

function describeToken(t: string): string {
  if (TOKEN_WORDS[t]) return TOKEN_WORDS[t]!;
  if (NAME_KEYWORDS.has(t)) return 'a name';
  return `\`${t}\``;
}
