/**
 * Enforces the invariants of docs/architecture.md that concern imports and files, on every
 * TypeScript source file, and checks that its code map names every top-level folder.
 */
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

/** The repository path of a relative import, or undefined for a package. */
function repoPath(file: string, spec: string): string | undefined {
  return spec.startsWith('.') ? target(file, spec) : undefined;
}

function under(to: string | undefined, ...dirs: string[]): boolean {
  return to !== undefined && dirs.some((d) => to === d || to.startsWith(`${d}/`));
}

/** The folders directly inside `dir` (relative to the repository), without those git ignores. */
function foldersIn(dir: string): string[] {
  const ignored = new Set(
    fs
      .readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
      .filter((l) => l && !l.startsWith('#') && !/[*?]/.test(l)),
  );
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== '.git' && !ignored.has(e.name))
    .map((e) => (dir === '.' ? `${e.name}/` : `${dir}/${e.name}/`));
}

/** The paths named in the first column of docs/architecture.md's code map table. */
function codeMapPaths(): Set<string> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Code map'));
  if (!section) throw new Error('docs/architecture.md has no "## Code map" section');
  const out = new Set<string>();
  for (const line of section.split('\n')) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1];
    if (first) for (const m of first.matchAll(/`([^`]+)`/g)) out.add(m[1]!);
  }
  return out;
}

/** Source files allowed over the size limit, with why. */
const LONG_FILES: Record<string, string> = {
  'src/core/language/fast-parser.ts': 'retired by issue 12 (docs/adr/0004-retire-the-fast-parser.md)',
};
const MAX_LINES = 650;

/** Constructors of typed LSP messages (vscode-languageserver-protocol / vscode-jsonrpc). */
const MESSAGE_TYPE = /\bnew\s+(?:Protocol)?(?:Request|Notification)Type\d?\b/;

/**
 * Invariant 10: every WeakMap and WeakSet outside the training engine, with why its values
 * cannot lead back to its keys (invariant 10 of docs/architecture.md). A new
 * one is added here with its reason, or is a NodeSlot (src/core/util/node-slot.ts).
 */
const WEAK_COLLECTIONS: Record<string, string> = {
  'src/core/semantics/evaluator/calls.ts declaredDefaults': "an op's declared default attributes: numbers, strings and lists of them",
  'src/core/semantics/evaluator/interpreter.ts repeatOutputs': 'one elaboration: tensors to the tensors a repeat made of them, no AST',
  'src/core/semantics/evaluator/interpreter.ts brokenSequences': "a set of one elaboration's sequences (arrays of tensors): holds no values",
  'src/core/semantics/evaluator/choice-keys.ts siteIds': 'strings',
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

  it('4. the extension reaches the core only through the server, its shared types only from src/protocol/', () => {
    expect(
      violations('src/extension', (file, imp) => {
        const to = repoPath(file, imp.spec);
        if (to !== undefined && !under(to, 'src/extension', 'src/protocol', 'src/shared')) return 'outside the extension, src/protocol/ and src/shared/';
        if (/^(langium|vscode-languageserver)(\/|$)/.test(imp.spec)) return 'the server side of LSP in the extension';
        return undefined;
      }),
    ).toEqual([]);
  });

  it('5. typed messages are declared in src/protocol/ only', () => {
    const found: string[] = [];
    for (const dir of ['src', 'language-server', 'webview', 'bench']) {
      for (const file of listTs(dir)) {
        if (file.startsWith(path.join('src', 'protocol') + path.sep)) continue;
        const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
        if (MESSAGE_TYPE.test(text)) found.push(file);
      }
    }
    expect(found).toEqual([]);
    // The check sees the declarations where they are.
    expect(listTs('src/protocol').some((f) => MESSAGE_TYPE.test(fs.readFileSync(path.join(ROOT, f), 'utf8')))).toBe(true);
  });

  it('5. src/protocol/ imports nothing but vscode-languageserver-protocol and itself; src/shared/ imports nothing', () => {
    expect(
      violations('src/protocol', (file, imp) => {
        const to = repoPath(file, imp.spec);
        if (to === undefined) return imp.spec === 'vscode-languageserver-protocol' ? undefined : 'a package other than vscode-languageserver-protocol';
        return under(to, 'src/protocol') ? undefined : 'outside src/protocol/';
      }),
    ).toEqual([]);
    expect(
      violations('src/shared', (file, imp) => {
        const to = repoPath(file, imp.spec);
        return to !== undefined && under(to, 'src/shared') ? undefined : 'src/shared/ imports nothing';
      }),
    ).toEqual([]);
  });

  it('5. the core takes only types from src/protocol/', () => {
    expect(violations('src/core', (file, imp) => (under(repoPath(file, imp.spec), 'src/protocol') && !imp.typeOnly ? 'use `import type`' : undefined))).toEqual(
      [],
    );
  });

  it('5. the server imports neither the extension nor the webviews; the webviews only the protocol, shared helpers and views', () => {
    expect(
      violations('language-server', (file, imp) =>
        under(repoPath(file, imp.spec), 'src/extension', 'webview') ? 'a client imported by the server' : undefined,
      ),
    ).toEqual([]);
    expect(
      violations('webview', (file, imp) => {
        const to = repoPath(file, imp.spec);
        if (to !== undefined && !under(to, 'webview', 'src/protocol', 'src/shared', 'src/core/views'))
          return 'outside webview/, src/protocol/, src/shared/, src/core/views/';
        if (/^(vscode|vscode-languageclient|vscode-languageserver|langium)(\/|$)/.test(imp.spec)) return 'editor or server package in a webview';
        return undefined;
      }),
    ).toEqual([]);
  });

  it('the code map of docs/architecture.md names every top-level folder', () => {
    const named = codeMapPaths();
    const folders = [...foldersIn('.'), ...foldersIn('src'), ...foldersIn('src/core')];
    expect(folders).toContain('src/core/semantics/');
    expect(folders.filter((f) => !named.has(f))).toEqual([]);
  });

  it(`small rooms: no source file over ${MAX_LINES} lines`, () => {
    const long: string[] = [];
    for (const dir of ['src', 'language-server', 'webview']) {
      for (const file of listTs(dir)) {
        if (file.includes(`${path.sep}generated${path.sep}`) || LONG_FILES[file]) continue;
        const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n').length;
        if (lines > MAX_LINES) long.push(`${file}: ${lines} lines`);
      }
    }
    expect(long).toEqual([]);
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
