/** Enforces the import invariants of docs/architecture.md on every TypeScript source file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

function listTs(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|cts|tsx)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ spec: m[3] ?? m[4] ?? m[5]!, typeOnly: !!m[2] });
  }
  return out;
}

/** The repository path an import points at, or the package name for a bare specifier. */
function target(file: string, spec: string): string {
  if (spec.startsWith('.')) return path.normalize(path.join(path.dirname(file), spec));
  return spec;
}

const EDITOR_PACKAGES = /^(vscode|vscode-languageclient|vscode-languageserver)(\/|$)|^langium\/lsp/;

function violations(dir: string, rule: (file: string, imp: Import, to: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const file of listTs(dir)) {
    for (const imp of importsOf(file)) {
      const msg = rule(file, imp, target(file, imp.spec));
      if (msg) out.push(`${file}: imports '${imp.spec}' (${msg})`);
    }
  }
  return out;
}

/**
 * Invariant 10: every WeakMap and WeakSet outside the training engine, with why its values
 * cannot lead back to its keys (docs/architecture.md, "A closed document dies young"). A new
 * one is added here with its reason, or is a NodeSlot (src/core/util/node-slot.ts).
 */
const WEAK_COLLECTIONS: Record<string, string> = {
  'src/core/semantics/evaluator.ts declaredDefaults': "an op's declared default attributes: numbers, strings and lists of them",
  'src/core/semantics/evaluator.ts repeatOutputs': 'one elaboration: tensors to the tensors a repeat made of them, no AST',
  'src/core/semantics/evaluator.ts siteIds': 'strings',
  'src/core/language/syntax/incremental-state.ts states': 'keyed by language services, which outlive every document',
  'src/core/language/services/link-versions.ts linkVersions': 'numbers',
};

function weakCollections(): string[] {
  const found: string[] = [];
  for (const dir of ['src', 'language-server']) {
    for (const file of listTs(dir)) {
      if (file.startsWith(path.join('src', 'core', 'train'))) continue;
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:const|let|var|readonly)\s+(\w+)\s*(?::[^=;\n]*)?=\s*new\s+Weak(?:Map|Set)\b/g)) found.push(`${file} ${m[1]}`);
    }
  }
  return found.sort();
}

describe('architecture invariants (docs/architecture.md)', () => {
  it('sees the files it checks', () => {
    expect(listTs('src/core').length).toBeGreaterThan(20);
    expect(importsOf('src/cli/main.ts').map((i) => i.spec)).toContain('commander');
  });

  it('1. the core imports nothing of VS Code, LSP or the front ends', () => {
    expect(
      violations('src/core', (_f, imp, to) => {
        if (EDITOR_PACKAGES.test(imp.spec)) return 'editor/LSP package in the core';
        if (imp.spec === 'vscode-languageserver-types' && !imp.typeOnly) return 'only type imports of LSP data types';
        if (/^(src\/extension|language-server|src\/cli|webview)(\/|$)/.test(to)) return 'front end imported by the core';
        return undefined;
      }),
    ).toEqual([]);
  });

  it('2. the CLI uses the core only', () => {
    expect(
      violations('src/cli', (_f, imp, to) => {
        if (EDITOR_PACKAGES.test(imp.spec)) return 'editor/LSP package in the CLI';
        if (/^(src\/extension|language-server|webview)(\/|$)/.test(to)) return 'front end imported by the CLI';
        return undefined;
      }),
    ).toEqual([]);
  });

  it('3. the language server never imports vscode', () => {
    expect(violations('language-server', (_f, imp) => (/^vscode(\/|$)/.test(imp.spec) ? 'vscode in the server' : undefined))).toEqual([]);
  });

  it('4. the extension reaches the core only through the server protocol', () => {
    expect(violations('src/extension', (_f, _imp, to) => (/^src\/core(\/|$)/.test(to) ? 'core imported by the extension' : undefined))).toEqual([]);
  });

  it('the syntax room (src/core/language/syntax/) imports Langium and its own files only', () => {
    expect(
      violations('src/core/language/syntax', (_f, imp, to) =>
        imp.spec === 'langium' || to.startsWith('src/core/language/syntax/') ? undefined : 'syntax imports langium and its own files only',
      ),
    ).toEqual([]);
  });

  it('10. no WeakMap from a node to data that leads back to it (a closed document dies young)', () => {
    expect(weakCollections()).toEqual(Object.keys(WEAK_COLLECTIONS).sort());
  });
});
