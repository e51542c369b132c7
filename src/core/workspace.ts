/**
 * A headless workspace of .nas documents for the CLI, tests and benchmarks: loads files and
 * their imports from disk (or text), builds them with Langium (parse, link, validate) and
 * reports diagnostics in LSP conventions (0-based lines and characters).
 */
import * as fs from 'node:fs';
import { DocumentState, URI, type LangiumDocument } from 'langium';
import { createNasCoreServices, type NasServiceOverrides, type NasServices } from './language/services/nas-module.js';
import type { LangiumSharedCoreServices } from 'langium';
import { BUILTIN_DOCUMENTS } from './stdlib/index.js';
import { loadImports } from './import-loader.js';
import { readSourceFileSync, SourceFileSystem } from './source-files.js';
import { SingleLanguageRegistry } from './single-language-registry.js';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };

export interface NasDiagnostic {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  /** Other places that explain it: for an error inside an imported file, where it happened (LSP relatedInformation). */
  related?: { file: string; range: Range; message: string }[];
}

const SEVERITY: Record<number, Severity> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

export class NasWorkspace {
  readonly shared: LangiumSharedCoreServices;
  readonly services: NasServices;
  private builtinsLoaded = false;

  /** `overrides` replace services (tests compare the NAS services with Langium's defaults). */
  constructor(overrides?: NasServiceOverrides) {
    // Files are read within limits (source-files.ts), and checked whatever their names.
    const sharedOverrides = { ServiceRegistry: (s: LangiumSharedCoreServices) => new SingleLanguageRegistry(s), ...overrides?.shared };
    const { shared, Nas } = createNasCoreServices(SourceFileSystem, { ...overrides, shared: sharedOverrides });
    this.shared = shared;
    this.services = Nas;
  }

  private ensureBuiltins(): LangiumDocument[] {
    if (this.builtinsLoaded) return [];
    this.builtinsLoaded = true;
    const docs = this.shared.workspace.LangiumDocuments;
    const factory = this.shared.workspace.LangiumDocumentFactory;
    const out: LangiumDocument[] = [];
    for (const b of BUILTIN_DOCUMENTS) {
      const doc = factory.fromString(b.text, URI.parse(b.uri));
      docs.addDocument(doc);
      out.push(doc);
    }
    return out;
  }

  /** Adds a document from text (replacing one with the same URI) plus its imports from disk. */
  async addText(text: string, uri: URI): Promise<LangiumDocument> {
    const builtins = this.ensureBuiltins();
    const docs = this.shared.workspace.LangiumDocuments;
    if (docs.hasDocument(uri)) {
      docs.deleteDocument(uri);
    }
    const doc = this.shared.workspace.LangiumDocumentFactory.fromString(text, uri);
    docs.addDocument(doc);
    const imports = await loadImports([doc], this.shared.workspace);
    const added = [...builtins, doc, ...imports.filter((d) => d.state < DocumentState.Validated)];
    await this.shared.workspace.DocumentBuilder.build(added, { validation: true });
    return doc;
  }

  /**
   * Removes a document as the editor does when its file is deleted: out of the documents, the
   * index and the build state, and the chunks kept for re-parsing it (the factory forgets
   * deleted documents).
   */
  async removeDocument(uri: URI): Promise<void> {
    await this.shared.workspace.DocumentBuilder.update([], [uri]);
  }

  /**
   * Loads a file and, transitively, the files it imports. Throws on I/O errors of `path` only
   * (a `SourceFileError` for a file that is not a regular file or is too large).
   */
  async addFile(path: string): Promise<LangiumDocument> {
    const text = readSourceFileSync(path);
    return this.addText(text, URI.file(fs.realpathSync(path)));
  }

  /** The document's diagnostics in reading order (line, then column), as the CLI prints them. */
  diagnostics(doc: LangiumDocument, file = doc.uri.fsPath): NasDiagnostic[] {
    const inOrder = [...(doc.diagnostics ?? [])].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return inOrder.map((d) => ({
      file,
      range: d.range,
      severity: SEVERITY[d.severity ?? 1] ?? 'error',
      code: typeof d.code === 'string' || typeof d.code === 'number' ? String(d.code) : 'error',
      message: d.message,
      ...(d.relatedInformation?.length
        ? { related: d.relatedInformation.map((r) => ({ file: relatedFile(r.location.uri), range: r.location.range, message: r.message })) }
        : {}),
    }));
  }
}

/** A file path for a file URI; a built-in library's URI as it is (`builtin:/std/blocks.nas`). */
function relatedFile(uri: string): string {
  const u = URI.parse(uri);
  return u.scheme === 'file' ? u.fsPath : uri;
}
