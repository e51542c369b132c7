/** Loading .nas files for CLI commands, with the CLI's error conventions. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import { NasWorkspace, type NasDiagnostic } from '../core/workspace.js';
import { readSourceFileSync, SourceFileError } from '../core/source-files.js';
import type { Definition, Document } from '../core/language/syntax/generated/ast.js';
import { printable } from './printable.js';

/** An error the user caused (bad path, bad flag): exit code 2, one line, no stack trace. */
export class UsageError extends Error {}

export interface LoadedFile {
  readonly file: string;
  readonly doc: LangiumDocument;
  readonly root: Document;
  readonly diagnostics: NasDiagnostic[];
}

export async function loadFiles(files: readonly string[], ws = new NasWorkspace()): Promise<LoadedFile[]> {
  const out: LoadedFile[] = [];
  for (const file of files) {
    let text: string;
    let uri: URI;
    try {
      // Only a regular file of bounded size is read (core/source-files.ts), whatever its name.
      text = readSourceFileSync(file);
      uri = URI.file(fs.realpathSync(file));
    } catch (e) {
      if (e instanceof SourceFileError) throw new UsageError(`cannot read ${e.path}: ${e.reason}`);
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    let doc: LangiumDocument;
    try {
      doc = await ws.addText(text, uri);
    } catch (e) {
      // Parsing never fails by design (docs/architecture.md, invariant 6): if it does, say so
      // as what it is, not as a file that cannot be read.
      throw new UsageError(`internal error while checking ${file}: ${(e as Error).message} (please report this)`);
    }
    // Related places in the paths a user types, like `file` (built-in library URIs as they are).
    const diagnostics = ws
      .diagnostics(doc, file)
      .map((d) => (d.related ? { ...d, related: d.related.map((r) => (path.isAbsolute(r.file) ? { ...r, file: displayPath(r.file) } : r)) } : d));
    out.push({ file, doc, root: doc.parseResult.value as Document, diagnostics });
  }
  return out;
}

/** `file:line:col: severity code message` (1-based), then a `note` line per related place; control characters escaped. */
export function formatDiagnostic(d: NasDiagnostic): string {
  const at = (file: string, p: { line: number; character: number }) => `${file}:${p.line + 1}:${p.character + 1}`;
  const notes = (d.related ?? []).map((r) => `\n  ${printable(`${at(r.file, r.range.start)}: note: ${r.message}`)}`);
  return `${printable(`${at(d.file, d.range.start)}: ${d.severity} ${d.code} ${d.message}`)}${notes.join('')}`;
}

/** Diagnostics in reading order: by file, line, column; those at one place in the order they were found (a cause before its consequences). */
export function sortDiagnostics(list: readonly NasDiagnostic[]): NasDiagnostic[] {
  return [...list].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

export function modelsOf(root: Document, name?: string): Definition[] {
  const models = root.elements.filter((e): e is Definition => e.$type === 'Definition' && (e.kind === 'network' || e.kind === 'space'));
  // A file of searches only (examples/nb201_search.nas) stands for the spaces it searches.
  for (const e of root.elements) {
    if (e.$type !== 'Search') continue;
    for (const item of e.items) {
      const space = item.$type === 'SpaceItem' ? item.space?.ref : undefined;
      if (space && !models.includes(space)) models.push(space);
    }
  }
  if (name === undefined) return models;
  const found = models.filter((m) => m.name === name);
  if (found.length === 0) {
    throw new UsageError(`no network or space named ${name}${models.length ? ` (the file has: ${models.map((m) => m.name).join(', ')})` : ''}`);
  }
  return found;
}

export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
