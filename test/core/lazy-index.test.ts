/**
 * The references index is built on demand (`NasIndexManager`, src/core/language/services/nas-index-manager.ts):
 * a build records which documents were linked, and their reference descriptions are made when
 * the index is read (find-all-references, rename, `isAffected`). Here: a from-scratch build and
 * an edit create none; once read, the index equals that of Langium's own eager index manager and
 * reference description provider on every example; across documents, an edit in an imported
 * file relinks the importer exactly when Langium's index says it must; and an entry whose
 * document was replaced under its URI is not described from the new, unlinked document.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AstUtils,
  DefaultIndexManager,
  DefaultReferenceDescriptionProvider,
  DocumentState,
  URI,
  type AstNode,
  type LangiumDocument,
  type ReferenceDescription,
} from 'langium';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { NasIndexManager } from '../../src/core/language/services/nas-index-manager.js';
import { NasReferenceDescriptionProvider } from '../../src/core/language/services/nas-reference-description-provider.js';
import { generateLargeFile } from '../../bench/generated-file.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');

/** A workspace with Langium's own index manager and reference description provider. */
function eagerWorkspace(): NasWorkspace {
  return new NasWorkspace({
    shared: { workspace: { IndexManager: (s) => new DefaultIndexManager(s) } },
    language: { workspace: { ReferenceDescriptionProvider: (s) => new DefaultReferenceDescriptionProvider(s) } },
  });
}

function lazyIndex(ws: NasWorkspace): NasIndexManager {
  const index = ws.shared.workspace.IndexManager;
  expect(index).toBeInstanceOf(NasIndexManager);
  return index as NasIndexManager;
}

function descriptionProvider(ws: NasWorkspace): NasReferenceDescriptionProvider {
  return ws.services.workspace.ReferenceDescriptionProvider as NasReferenceDescriptionProvider;
}

/** Every named node of the workspace's documents, by document URI and path. */
function namedNodes(ws: NasWorkspace): Array<{ key: string; node: AstNode }> {
  const out: Array<{ key: string; node: AstNode }> = [];
  const names = ws.services.references.NameProvider;
  const locator = ws.services.workspace.AstNodeLocator;
  for (const doc of ws.shared.workspace.LangiumDocuments.all) {
    for (const node of AstUtils.streamAst(doc.parseResult.value)) {
      if (names.getName(node)) out.push({ key: `${doc.uri.toString()}#${locator.getAstNodePath(node)}`, node });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function plain(r: ReferenceDescription): string {
  const s = r.segment;
  return [r.sourceUri.toString(), r.sourcePath, r.targetUri.toString(), r.targetPath, r.local, s.offset, s.end, s.length, JSON.stringify(s.range)].join('|');
}

/** find-all-references for every named node, as sorted plain strings per node. */
function allReferences(ws: NasWorkspace): Map<string, string[]> {
  const locator = ws.services.workspace.AstNodeLocator;
  const out = new Map<string, string[]>();
  for (const { key, node } of namedNodes(ws)) {
    out.set(key, ws.shared.workspace.IndexManager.findAllReferences(node, locator.getAstNodePath(node)).map(plain).toArray().sort());
  }
  return out;
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-lazy-index-'));
  tmpDirs.push(d);
  return d;
}

describe('references index built on demand', () => {
  it('a from-scratch check and an edit of the 5,000-line file describe no reference until the index is read', async () => {
    const ws = new NasWorkspace();
    const describe = vi.spyOn(descriptionProvider(ws), 'descriptionsNow');
    const uri = URI.file(path.join(ROOT, 'lazy-index-bench.nas'));
    const text = generateLargeFile();
    const doc = await ws.addText(text, uri);
    expect(ws.diagnostics(doc).filter((d) => d.severity === 'error')).toEqual([]);
    const index = lazyIndex(ws);
    expect(index.isDescribed(uri)).toBe(false);
    expect(describe).not.toHaveBeenCalled();
    const edited = await ws.addText(text.replace('k=3, stride=stride) -> bn -> relu', 'k=5, stride=stride) -> bn -> relu'), uri);
    expect(edited.state).toBe(DocumentState.Validated);
    expect(index.isDescribed(uri)).toBe(false);
    expect(describe).not.toHaveBeenCalled();
    // The first read describes the document; then the index keeps it.
    const root = edited.parseResult.value as AstNode & { elements: AstNode[] };
    const unit3 = root.elements[3]!;
    const found = index.findAllReferences(unit3, ws.services.workspace.AstNodeLocator.getAstNodePath(unit3)).toArray();
    expect(found.length).toBeGreaterThan(10);
    expect(found.every((r) => r.sourceUri.toString() === uri.toString() && r.local)).toBe(true);
    expect(index.isDescribed(uri)).toBe(true);
    // Once per document of the workspace (this one and the built-in ones), once only.
    const documents = ws.shared.workspace.LangiumDocuments.all.count();
    expect(describe).toHaveBeenCalledTimes(documents);
    index.findAllReferences(unit3, ws.services.workspace.AstNodeLocator.getAstNodePath(unit3)).toArray();
    expect(describe).toHaveBeenCalledTimes(documents);
  });

  it("find-all-references equals Langium's eager index on every example, for every named node", async () => {
    const lazy = new NasWorkspace();
    const eager = eagerWorkspace();
    expect(eager.shared.workspace.IndexManager).not.toBeInstanceOf(NasIndexManager);
    const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.nas'));
    for (const f of files) {
      await lazy.addFile(path.join(EXAMPLES, f));
      await eager.addFile(path.join(EXAMPLES, f));
    }
    const mine = allReferences(lazy);
    const theirs = allReferences(eager);
    expect([...mine.keys()]).toEqual([...theirs.keys()]);
    expect(mine.size).toBeGreaterThan(500);
    let total = 0;
    for (const [key, refs] of theirs) {
      expect(mine.get(key), key).toEqual(refs);
      total += refs.length;
    }
    expect(total).toBeGreaterThan(1000);
    // Some references cross documents (an example to std/blocks, nb201_search to nb201).
    expect([...mine.values()].flat().some((r) => r.includes('|false|'))).toBe(true);
  });

  it('after edits, the index describes the current AST and equals an eager index of the same text', async () => {
    const lazy = new NasWorkspace();
    const eager = eagerWorkspace();
    const uri = URI.file(path.join(ROOT, 'lazy-index-edits.nas'));
    const base = fs.readFileSync(path.join(EXAMPLES, 'resnet50.nas'), 'utf8');
    const texts = [
      base,
      base.replace(/Bottleneck/g, 'Bneck'), // renamed definition
      base.replace('import "std/blocks"', '# no imports'), // imports gone: references to std/blocks fail
      '\n\n' + base, // every element moved
      base,
    ];
    for (const [i, text] of texts.entries()) {
      // Read the index between some builds only, so that pending entries are replaced too.
      await lazy.addText(text, uri);
      await eager.addText(text, uri);
      if (i % 2 === 1) continue;
      expect(allReferences(lazy)).toEqual(allReferences(eager));
    }
  });

  it('an edit in an imported file relinks the importer as Langium decides it (isAffected)', async () => {
    const dir = tmpDir();
    const a = path.join(dir, 'a.nas');
    const b = path.join(dir, 'b.nas');
    const c = path.join(dir, 'c.nas');
    fs.writeFileSync(b, 'block Foo(C: int) {\n  input x\n  x -> conv(C, k=3) -> relu\n}\n');
    fs.writeFileSync(a, 'import "b"\nnetwork N {\n  input(3, 8, 8)\n  Foo(8)\n}\n');
    fs.writeFileSync(c, 'network M {\n  input(3, 8, 8)\n  conv(8, k=3)\n}\n');
    const uriA = URI.file(fs.realpathSync(a));
    const uriB = URI.file(fs.realpathSync(b));
    const uriC = URI.file(fs.realpathSync(c));
    const runs = [new NasWorkspace(), eagerWorkspace()];
    const outcome: unknown[] = [];
    for (const ws of runs) {
      const docA = await ws.addFile(a);
      const docC = await ws.addFile(c);
      expect(ws.diagnostics(docA).filter((d) => d.severity === 'error')).toEqual([]);
      const index = ws.shared.workspace.IndexManager;
      if (index instanceof NasIndexManager) expect(index.isDescribed(uriA)).toBe(false);
      const affected = [
        index.isAffected(docA, new Set([uriB.toString()])),
        index.isAffected(docC, new Set([uriB.toString()])),
        index.isAffected(docA, new Set([uriC.toString()])),
      ];
      expect(affected).toEqual([true, false, false]);
      // isAffected answers from the AST without describing the references.
      if (index instanceof NasIndexManager) expect(index.isDescribed(uriA)).toBe(false);
      // Rename Foo in b.nas: the importer is relinked and its use fails; c.nas is not touched.
      fs.writeFileSync(b, 'block Bar(C: int) {\n  input x\n  x -> conv(C, k=3) -> relu\n}\n');
      await ws.shared.workspace.DocumentBuilder.update([uriB], []);
      const docA2 = ws.shared.workspace.LangiumDocuments.getDocument(uriA)!;
      expect(docA2).toBe(docA);
      const errors = ws.diagnostics(docA2).filter((d) => d.severity === 'error');
      expect(errors.map((e) => e.message).join('\n')).toMatch(/Foo/);
      expect(ws.shared.workspace.LangiumDocuments.getDocument(uriC)).toBe(docC);
      // And back: the importer links again.
      fs.writeFileSync(b, 'block Foo(C: int) {\n  input x\n  x -> conv(C, k=3) -> relu\n}\n');
      await ws.shared.workspace.DocumentBuilder.update([uriB], []);
      expect(ws.diagnostics(docA).filter((d) => d.severity === 'error')).toEqual([]);
      const foo = (ws.shared.workspace.LangiumDocuments.getDocument(uriB)!.parseResult.value as AstNode & { elements: AstNode[] }).elements[0]!;
      const refs = index.findAllReferences(foo, ws.services.workspace.AstNodeLocator.getAstNodePath(foo)).map(plain).toArray();
      expect(refs).toHaveLength(1);
      outcome.push({ errors: errors.map((e) => [e.range, e.message]), refs });
    }
    expect(outcome[0]).toEqual(outcome[1]);
  });

  it('an entry whose document was replaced and not linked again is not described from the new document', async () => {
    const ws = new NasWorkspace();
    const uri = URI.file(path.join(ROOT, 'lazy-index-replaced.nas'));
    const text = 'network N {\n  input(3, 8, 8)\n  x = conv(8, k=3)\n  x -> relu\n}\n';
    const doc = await ws.addText(text, uri);
    const index = lazyIndex(ws);
    expect(index.isDescribed(uri)).toBe(false);
    const x = (doc.parseResult.value as AstNode & { elements: Array<AstNode & { body: AstNode[] }> }).elements[0]!.body[1]!;
    // Replaced under its URI (as `NasWorkspace.addText` does before building), not built yet.
    const docs = ws.shared.workspace.LangiumDocuments;
    docs.deleteDocument(uri);
    const replacement: LangiumDocument = ws.shared.workspace.LangiumDocumentFactory.fromString(text.replace('x -> relu', 'x -> relu -> relu'), uri);
    docs.addDocument(replacement);
    const linkedBefore = replacement.references.length;
    expect(index.findAllReferences(x, ws.services.workspace.AstNodeLocator.getAstNodePath(x)).toArray()).toEqual([]);
    expect(index.isAffected(replacement, new Set([uri.toString()]))).toBe(false);
    // Nothing of the replacement was resolved by reading the index.
    expect(replacement.references.length).toBe(linkedBefore);
    expect(replacement.state).toBe(DocumentState.Parsed);
    // Built, it is indexed again.
    await ws.shared.workspace.DocumentBuilder.build([replacement], { validation: true });
    const x2 = (replacement.parseResult.value as AstNode & { elements: Array<AstNode & { body: AstNode[] }> }).elements[0]!.body[1]!;
    expect(index.findAllReferences(x2, ws.services.workspace.AstNodeLocator.getAstNodePath(x2)).toArray()).toHaveLength(1);
  });
});
