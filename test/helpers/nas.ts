/** Test helpers: build .nas text in a fresh headless workspace. */
import { URI } from 'langium';
import { NasWorkspace, type NasDiagnostic } from '../../src/core/workspace.js';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';

let counter = 0;
let shared: NasWorkspace | undefined;

/** One workspace per test file: creating Langium services and parsing the stdlib is costly. */
export function sharedWorkspace(): NasWorkspace {
  shared ??= new NasWorkspace();
  return shared;
}

export interface Built {
  root: Document;
  diagnostics: NasDiagnostic[];
  errors: NasDiagnostic[];
  def(name: string): Definition;
  text: string;
}

export async function build(text: string, ws = sharedWorkspace(), path = `/virtual/test-${++counter}.nas`): Promise<Built> {
  const doc = await ws.addText(text, URI.file(path));
  const root = doc.parseResult.value as Document;
  const diagnostics = ws.diagnostics(doc);
  return {
    root,
    diagnostics,
    errors: diagnostics.filter((d) => d.severity === 'error'),
    text,
    def(name: string): Definition {
      const d = root.elements.find((e) => e.$type === 'Definition' && e.name === name);
      if (!d) throw new Error(`no definition ${name}`);
      return d as Definition;
    },
  };
}

/** The text covered by a diagnostic's range. */
export function textAt(text: string, d: NasDiagnostic): string {
  const lines = text.split('\n');
  const { start, end } = d.range;
  if (start.line === end.line) return lines[start.line]!.slice(start.character, end.character);
  return [lines[start.line]!.slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line]!.slice(0, end.character)].join('\n');
}
