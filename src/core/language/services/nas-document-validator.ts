/**
 * Gives every diagnostic a stable code (listed in docs/cli.md): syntax errors become `syntax`,
 * unresolved names become `unknown-name` with a "did you mean" from the names in scope.
 */
import {
  Cancellation,
  DefaultDocumentValidator,
  DocumentValidator,
  interruptAndCheck,
  isAstNode,
  type AstNode,
  type DiagnosticInfo,
  type LangiumDocument,
  type ValidationAcceptor,
  type ValidationCheck,
  type ValidationSeverity,
  type LangiumCoreServices,
  type ValidationOptions,
  type ScopeProvider,
} from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { boundedMessage, suggestName } from '../../semantics/suggest.js';
import { isTooLargeMessage } from '../syntax/source-limit.js';
import { fingerprintOf } from '../../semantics/dependencies.js';
import type { Document } from '../syntax/generated/ast.js';
import { contentsOf } from './ast-walk.js';
import { NodeSlot } from '../../util/node-slot.js';
import { unclosedBefore, unclosedBrackets, type Bracket } from './unclosed-bracket.js';

type Accepted = [ValidationSeverity, string, DiagnosticInfo<AstNode, string>];

/** Unknown names of one document that get a "did you mean" (the rest are listed without). */
export const MAX_SUGGESTED_NAMES = 100;

export class NasDocumentValidator extends DefaultDocumentValidator {
  private readonly scopes: ScopeProvider;
  /** What the checks accepted for each top-level element, keyed by its fingerprint. */
  private readonly accepted = new NodeSlot<AstNode, { key: string; items: Accepted[] }>('accepted diagnostics');
  constructor(services: LangiumCoreServices) {
    super(services);
    this.scopes = services.references.ScopeProvider;
  }

  /**
   * Langium's linking errors, one pass over the references (a resolved reference is skipped
   * without calling its `error` getter), each with a "did you mean" from the names in scope.
   */
  protected override processLinkingErrors(document: LangiumDocument, diagnostics: Diagnostic[], _options: ValidationOptions): void {
    let suggested = 0;
    for (const ref of document.references) {
      const raw = (ref as unknown as { _ref?: unknown })._ref;
      if (raw === undefined || isAstNode(raw)) continue;
      const error = ref.error;
      if (!error) continue;
      const name = error.info.reference.$refText ?? '';
      let hint: string | undefined;
      try {
        // Bounded: suggestName reads a bounded part of the (lazy) scope, and only the first
        // MAX_SUGGESTED_NAMES unknown names of a document get a suggestion.
        if (++suggested <= MAX_SUGGESTED_NAMES) {
          hint = suggestName(
            name,
            this.scopes
              .getScope(error.info)
              .getAllElements()
              .map((e) => e.name),
          );
        }
      } catch {
        hint = undefined;
      }
      const info = {
        node: error.info.container,
        range: ref.$refNode?.range,
        property: error.info.property,
        index: error.info.index,
        data: {
          code: DocumentValidator.LinkingError,
          containerType: error.info.container.$type,
          property: error.info.property,
          refText: name,
          suggestion: hint,
        },
      };
      const d = this.toDiagnostic('error', `unknown name \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ''}`, info);
      d.code = 'unknown-name';
      diagnostics.push(d);
    }
  }

  override async validateDocument(
    document: LangiumDocument,
    options?: ValidationOptions,
    cancelToken?: Parameters<DocumentValidator['validateDocument']>[2],
  ): Promise<Diagnostic[]> {
    const diagnostics = await super.validateDocument(document, options, cancelToken);
    let pointed = 0;
    let unclosed: Bracket[] | undefined;
    for (const d of diagnostics) {
      const code = (d.data as { code?: string } | undefined)?.code;
      if (code === DocumentValidator.LexingError && isTooLargeMessage(d.message)) d.code = 'too-large';
      else if (code === DocumentValidator.LexingError || code === DocumentValidator.ParsingError) {
        d.code = 'syntax';
        d.message = summarizeSyntaxMessage(d.message);
        // Each costs a scan of the text before it: the first few are the ones read.
        if (pointed < MAX_BRACKET_POINTERS && pointAtUnclosedBracket(document, d, () => (unclosed ??= unclosedBrackets(document.textDocument.getText()))))
          pointed++;
      }
      // No message echoes a name or a path of a megabyte (suggest.ts).
      d.message = boundedMessage(d.message);
    }
    return diagnostics;
  }

  /**
   * Runs the checks registered for the root, then for each top-level element: an element whose
   * fingerprint (its own parse and every definition it depends on, semantics/dependencies.ts)
   * is unchanged since its last validation gets the same findings again, with ranges taken
   * from its moved CST, without running its checks. Imports are always checked: whether the
   * imported file exists is not part of any fingerprint.
   */
  override async validateAst(rootNode: AstNode, options: ValidationOptions, cancelToken = Cancellation.CancellationToken.None): Promise<Diagnostic[]> {
    const items: Diagnostic[] = [];
    const acceptor: ValidationAcceptor = (severity, message, info) => {
      items.push(this.toDiagnostic(severity, message, info));
    };
    const categories = options.categories;
    await this.validateAstBefore(rootNode, options, acceptor, cancelToken);
    for (const check of this.validationRegistry.getChecks(rootNode.$type, categories)) await check(rootNode, acceptor, cancelToken);
    // The checks per node type, looked up once per validation (most types have none).
    const checksByType = new Map<string, ValidationCheck[]>();
    const checksFor = (type: string): ValidationCheck[] => {
      let list = checksByType.get(type);
      if (!list) {
        list = this.validationRegistry.getChecks(type, categories).toArray();
        checksByType.set(type, list);
      }
      return list;
    };
    const root = rootNode as Document;
    const categoryKey = categories ? categories.join(',') : '*';
    for (const element of [...(root.imports ?? []), ...(root.elements ?? [])] as AstNode[]) {
      await interruptAndCheck(cancelToken);
      const cacheable = element.$type !== 'Import';
      const key = cacheable ? `${fingerprintOf(element)}|${categoryKey}` : '';
      const hit = cacheable ? this.accepted.get(element) : undefined;
      if (hit && hit.key === key) {
        for (const [severity, message, info] of hit.items) acceptor(severity, message, info);
        continue;
      }
      const found: Accepted[] = [];
      const recording: ValidationAcceptor = (severity, message, info) => {
        found.push([severity, message, info as DiagnosticInfo<AstNode, string>]);
        acceptor(severity, message, info);
      };
      // Checks are synchronous but may return a promise: awaiting only those keeps a promise
      // per node and check (most nodes have no check) out of a check of a large file.
      const nodes = contentsOf(element).nodes;
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i]!;
        const checks = checksFor(node.$type);
        for (let c = 0; c < checks.length; c++) {
          const pending = checks[c]!(node, recording, cancelToken);
          if (pending !== undefined) await pending;
        }
      }
      if (cacheable) this.accepted.set(element, { key, items: found });
    }
    await this.validateAstAfter(rootNode, options, acceptor, cancelToken);
    return items;
  }

  /** Ranges are copied: the CST positions they come from move in place on later edits. */
  protected override toDiagnostic<N extends AstNode>(severity: ValidationSeverity, message: string, info: DiagnosticInfo<N, string>): Diagnostic {
    const d = super.toDiagnostic(severity, message, info);
    d.range = { start: { ...d.range.start }, end: { ...d.range.end } };
    return d;
  }
}

const MAX_BRACKET_POINTERS = 20;

/**
 * `expected \`)\`, found \`fc\`` on a line after an unclosed `(`: names the bracket in the
 * message and points at it (related information; the CLI prints it as a note). An error on the
 * bracket's own line (`conv(8 k=3)`: a missing comma) is left as it is.
 */
function pointAtUnclosedBracket(document: LangiumDocument, d: Diagnostic, unclosed: () => Bracket[]): boolean {
  const expected = /^expected (.*), found /s.exec(d.message)?.[1];
  const closing = expected && ['`)`', '`]`', '`}`'].find((b) => expected.includes(b));
  if (!closing) return false;
  const bracket = unclosedBefore(unclosed(), document.textDocument.offsetAt(d.range.start), closing[1]!);
  if (!bracket) return false;
  const start = document.textDocument.positionAt(bracket.at);
  if (start.line >= d.range.start.line) return false;
  d.message += `: the \`${bracket.ch}\` on line ${start.line + 1}, column ${start.character + 1} is not closed`;
  d.relatedInformation = [
    {
      location: { uri: document.uri.toString(), range: { start, end: { line: start.line, character: start.character + 1 } } },
      message: `the unclosed \`${bracket.ch}\``,
    },
  ];
  return true;
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
