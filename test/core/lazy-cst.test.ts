/**
 * Chunks parsed by the fast parser are stored AST-only and build their CST on first demand
 * (src/core/language/nas-document-factory.ts, docs/architecture.md invariant 9). Here: a
 * from-scratch check of an error-free multi-chunk document builds no CST at all; reading one
 * node's `$cstNode` or one reference's `$refNode` builds that node's chunk only; whatever walks
 * the document's CST gets all of it; and the language server's features answer on such a
 * document exactly as on one whose CST was built at once. (That the CSTs built on demand are
 * Langium's, node for node, also after incremental moves, is test/core/fast-parser.test.ts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CstUtils, URI, isLeafCstNode, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { cstMaterializations } from '../../src/core/language/nas-document-factory.js';
import { isCstPending } from '../../src/core/language/fast-parser.js';
import { parserBuilds } from '../../src/core/language/parse-guard.js';
import { referencesOf } from '../../src/core/language/incremental.js';
import { elaborateCached } from '../../src/core/semantics/evaluator/index.js';
import type { Definition, Document } from '../../src/core/language/generated/ast.js';
import { generateLargeFile } from '../../bench/generated-file.js';
import { pendingLines, pendingStart } from '../../language-server/chunk-span.js';
import { startLspServices } from '../helpers/lsp-services.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function elementsOf(doc: LangiumDocument): AstNode[] {
  return (doc.parseResult.value as Document).elements;
}

/** The document's root CST node's children (reading them builds every chunk's CST). */
function rootContent(doc: LangiumDocument): CstNode[] {
  return (doc.parseResult.value.$cstNode as CstNode & { content: CstNode[] }).content;
}

const startServices = startLspServices;

/** Adds `text` as a document and builds it; `eager` builds its whole CST first. */
async function openDocument(shared: Awaited<ReturnType<typeof startServices>>['shared'], text: string, name: string, eager: boolean): Promise<LangiumDocument> {
  const doc = shared.workspace.LangiumDocumentFactory.fromString(text, URI.file(path.join(ROOT, name)));
  shared.workspace.LangiumDocuments.addDocument(doc);
  if (eager) void rootContent(doc);
  await shared.workspace.DocumentBuilder.build([doc], { validation: true });
  return doc;
}

/** The services, and a generated 2,000-line file opened AST-only and built at once. */
async function openLargeTwice(name: string) {
  const { shared, Nas } = await startServices();
  const text = generateLargeFile(2000);
  const eager = await openDocument(shared, text, `lazy-cst-${name}-eager.nas`, true);
  const lazy = await openDocument(shared, text, `lazy-cst-${name}-lazy.nas`, false);
  return { Nas, eager, lazy, lines: text.split('\n') };
}

/**
 * Asks at each position of an AST-only document and of the same document built at once: each
 * request on the first may build at most three chunks (the one under the cursor and, for a use
 * of a definition, the definition's and the one before it, which ends with its documentation
 * comment), and both must answer the same. Returns how many requests got an answer.
 */
async function compareRequests<T>(
  ask: (doc: LangiumDocument, line: number, character: number) => T | undefined | Promise<T | undefined>,
  lazy: LangiumDocument,
  eager: LangiumDocument,
  positions: ReadonlyArray<readonly [number, number]>,
  lines: readonly string[],
): Promise<number> {
  let answered = 0;
  for (const [line, character] of positions) {
    const before = cstMaterializations.count;
    const mine = await ask(lazy, line, character);
    expect(cstMaterializations.count - before, `line ${line}: ${lines[line]}`).toBeLessThanOrEqual(3);
    expect(mine).toEqual(await ask(eager, line, character));
    if (mine) answered++;
  }
  return answered;
}

describe('CST built on demand', () => {
  it('a from-scratch check of an error-free 5,000-line file builds no CST, nor do its cost and an edit', async () => {
    const ws = new NasWorkspace();
    const text = generateLargeFile();
    const uri = URI.file(path.join(ROOT, 'lazy-cst-bench.nas'));
    const before = cstMaterializations.count;
    const doc = await ws.addText(text, uri);
    let nets = 0;
    for (const e of elementsOf(doc)) {
      if (e.$type === 'Definition' && (e as Definition).kind === 'network') {
        expect(elaborateCached(e as Definition).graph.totals().macs).toBeGreaterThan(0);
        nets++;
      }
    }
    expect(nets).toBe(100);
    expect(ws.diagnostics(doc).filter((d) => d.severity === 'error')).toEqual([]);
    expect(elementsOf(doc).length).toBeGreaterThan(150);
    expect(elementsOf(doc).every((e) => isCstPending(e))).toBe(true);
    // An edit re-parses one chunk (AST-only too) and moves the others.
    const edited = text.replace('k=3, stride=stride) -> bn -> relu', 'k=5, stride=stride) -> bn -> relu');
    expect(edited).not.toBe(text);
    const doc2 = await ws.addText(edited, uri);
    expect(ws.diagnostics(doc2).filter((d) => d.severity === 'error')).toEqual([]);
    expect(cstMaterializations.count).toBe(before);
  });

  it("builds Langium's parser only for text with errors", async () => {
    const ws = new NasWorkspace();
    const before = parserBuilds.count;
    const doc = await ws.addText(generateLargeFile(300), URI.file(path.join(ROOT, 'lazy-cst-parser-free.nas')));
    expect(ws.diagnostics(doc).filter((d) => d.severity === 'error')).toEqual([]);
    expect(parserBuilds.count).toBe(before);
    // A syntax error: the chunk goes to Langium's (guarded) parser, built now, once.
    const broken = await ws.addText('network N {\n  input(3, 8, 8)\n  conv(8, k=3 -> relu\n}\n', URI.file(path.join(ROOT, 'lazy-cst-parser-broken.nas')));
    expect(ws.diagnostics(broken).some((d) => d.code === 'syntax')).toBe(true);
    expect(parserBuilds.count).toBe(before + 1);
  });
  it("reading one node's $cstNode or one reference's $refNode builds that node's chunk only", async () => {
    const ws = new NasWorkspace();
    const text = generateLargeFile(400);
    const doc = await ws.addText(text, URI.file(path.join(ROOT, 'lazy-cst-one.nas')));
    const elements = elementsOf(doc);
    const count = cstMaterializations.count;
    // A node deep inside the 5th element: its chunk, no other.
    const fifth = elements[4]!;
    const refs = referencesOf(fifth);
    expect(refs.length).toBeGreaterThan(3);
    const deep = refs[3]!.container;
    const cst = deep.$cstNode!;
    expect(cstMaterializations.count).toBe(count + 1);
    expect(cst.astNode).toBe(deep);
    expect(cst.text).toBe(text.slice(cst.offset, cst.end));
    expect(isCstPending(fifth)).toBe(false);
    expect(fifth.$cstNode!.text).toBe(text.slice(fifth.$cstNode!.offset, fifth.$cstNode!.end));
    expect(fifth.$cstNode!.text.startsWith('block Unit4(')).toBe(true);
    expect(elements.filter((e) => isCstPending(e)).length).toBe(elements.length - 1);
    // A reference of the 9th element.
    const ref = referencesOf(elements[8]!)[0]!.reference;
    expect(ref.$refNode!.text).toBe(ref.$refText);
    expect(cstMaterializations.count).toBe(count + 2);
    // The references index reads CST nodes only when asked for a segment.
    const index = ws.shared.workspace.IndexManager.findAllReferences(elements[3]!, ws.services.workspace.AstNodeLocator.getAstNodePath(elements[3]!));
    const found = index.toArray();
    expect(found.length).toBeGreaterThan(0);
    expect(cstMaterializations.count).toBe(count + 2);
    const segment = found[0]!.segment;
    expect(text.slice(segment.offset, segment.end)).toBe('Unit3');
    expect(cstMaterializations.count).toBe(count + 3);
    // Whatever walks the document's CST sees all of it.
    const leaves = CstUtils.streamCst(doc.parseResult.value.$cstNode!)
      .filter((n) => isLeafCstNode(n) && !n.hidden)
      .map((n) => n.text)
      .toArray();
    expect(leaves.join('')).toBe(text.replace(/\/\*[\s\S]*?\*\/|\s+/g, ''));
    expect(elements.some((e) => isCstPending(e))).toBe(false);
    expect(rootContent(doc).length).toBeGreaterThanOrEqual(elements.length);
  });

  it('the language server answers on an AST-only document as on one whose CST was built at once', async () => {
    const { shared, Nas } = await startServices();
    const text = generateLargeFile(300).replace('block Unit2(', '# a comment\nblock Unit2(') + '\nlet  messy=[1 ,2]\n';
    const open = (name: string, eager: boolean) => openDocument(shared, text, name, eager);
    const eager = await open('lazy-cst-lsp-eager.nas', true);
    const lazy = await open('lazy-cst-lsp-lazy.nas', false);
    expect(elementsOf(lazy).every((e) => isCstPending(e))).toBe(true);
    expect(lazy.diagnostics).toEqual(eager.diagnostics);
    const textDocument = (doc: LangiumDocument) => ({ uri: doc.uri.toString() });

    // Document symbols read each element's CST.
    const count = cstMaterializations.count;
    const symbols = await Nas.lsp.DocumentSymbolProvider!.getSymbols(lazy, { textDocument: textDocument(lazy) });
    expect(cstMaterializations.count).toBeGreaterThan(count);
    expect(symbols).toEqual(await Nas.lsp.DocumentSymbolProvider!.getSymbols(eager, { textDocument: textDocument(eager) }));
    expect(symbols.length).toBe(elementsOf(lazy).length);

    // Hover and formatting, on fresh AST-only documents (the first one is built now).
    for (const [i, ask] of [
      async (doc: LangiumDocument) => {
        const out: unknown[] = [];
        for (const line of [0, 4, 5, 20, 60, 120, 250]) {
          for (const character of [2, 5, 8, 14]) {
            out.push(await Nas.lsp.HoverProvider!.getHoverContent(doc, { textDocument: textDocument(doc), position: { line, character } }));
          }
        }
        return out;
      },
      (doc: LangiumDocument) => Nas.lsp.Formatter!.formatDocument(doc, { textDocument: textDocument(doc), options: { tabSize: 2, insertSpaces: true } }),
      (doc: LangiumDocument) => Nas.lsp.FoldingRangeProvider!.getFoldingRanges(doc, { textDocument: textDocument(doc) }),
    ].entries()) {
      const fresh = await open(`lazy-cst-lsp-${i}.nas`, false);
      expect(elementsOf(fresh).every((e) => isCstPending(e))).toBe(true);
      const answer = await ask(fresh);
      expect(answer).toEqual(await ask(eager));
      expect(JSON.stringify(answer).length).toBeGreaterThan(50);
    }
  });
  it('an inlay-hint request for a range builds only the chunks in it, and answers as on a document built at once', async () => {
    const { shared, Nas } = await startServices();
    const text = generateLargeFile(2000);
    const open = (name: string, eager: boolean) => openDocument(shared, text, name, eager);
    const eager = await open('lazy-cst-hints-eager.nas', true);
    const lazy = await open('lazy-cst-hints-lazy.nas', false);
    const hints = (doc: LangiumDocument, start: number, end: number) =>
      Nas.lsp.InlayHintProvider!.getInlayHints(doc, {
        textDocument: { uri: doc.uri.toString() },
        range: { start: { line: start, character: 0 }, end: { line: end, character: 0 } },
      });
    // A 60-line viewport in the networks (40 lines each): two or three of the 150 definitions.
    for (const [start, end] of [
      [1000, 1060],
      [1500, 1560],
      [0, 30],
    ] as const) {
      const before = cstMaterializations.count;
      const mine = (await hints(lazy, start, end)) ?? [];
      const built = cstMaterializations.count - before;
      expect(built).toBeGreaterThan(0);
      expect(built).toBeLessThanOrEqual(4);
      expect(mine).toEqual(await hints(eager, start, end));
      expect(mine.length).toBeGreaterThan(start === 0 ? 0 : 20);
    }
    expect(elementsOf(lazy).filter((e) => !isCstPending(e)).length).toBeLessThanOrEqual(12);
    // Code lenses (networks, spaces, searches) build no chunk's CST: they sit where the chunk's text says.
    const lens = (doc: LangiumDocument) => Nas.lsp.CodeLensProvider!.provideCodeLens(doc, { textDocument: { uri: doc.uri.toString() } });
    const count = cstMaterializations.count;
    const lenses = (await lens(lazy)) ?? [];
    expect(cstMaterializations.count).toBe(count);
    expect(lenses.length).toBeGreaterThanOrEqual(3 * 40);
    expect(JSON.stringify(lenses)).toBe(JSON.stringify(await lens(eager)).replaceAll('lazy-cst-hints-eager.nas', 'lazy-cst-hints-lazy.nas'));
    // The whole document: every definition, as on the eager one.
    expect(await hints(lazy, 0, 3000)).toEqual(await hints(eager, 0, 3000));
    expect(
      elementsOf(lazy)
        .filter((e) => e.$type === 'Definition')
        .every((e) => !isCstPending(e)),
    ).toBe(true);
  });
  it('a hover builds only the chunk under the cursor, and answers as on a document built at once', async () => {
    const { Nas, eager, lazy, lines } = await openLargeTwice('hover');
    const hover = (doc: LangiumDocument, line: number, character: number) =>
      Nas.lsp.HoverProvider!.getHoverContent(doc, { textDocument: { uri: doc.uri.toString() }, position: { line, character } });
    // Block names, op and block uses, named arguments, comments, blank lines, far apart.
    const positions = [1, 2, 4, 11, 14, 400, 401, 417, 1210, 1211, 1212, 1999].flatMap((line) => [0, 3, 7, 12].map((c) => [line, c] as const));
    expect(await compareRequests(hover, lazy, eager, positions, lines)).toBeGreaterThanOrEqual(5);
    // A block's use shows the block's documentation comment, which sits in the chunk before it.
    const use = lines.findIndex((l) => /^ {2}Unit\d+\(/.test(l));
    const before = cstMaterializations.count;
    const shown = JSON.stringify(await hover(lazy, use, 3));
    expect(cstMaterializations.count - before).toBeLessThanOrEqual(3);
    expect(shown).toMatch(/Block \d+: a residual unit/);
    expect(shown).toBe(JSON.stringify(await hover(eager, use, 3)));
    expect(elementsOf(lazy).filter((e) => !isCstPending(e)).length).toBeLessThanOrEqual(30);
  });
  it("signature help builds only the chunk under the cursor (and the callee's), and answers as on a document built at once", async () => {
    const { Nas, eager, lazy, lines } = await openLargeTwice('sig');
    const help = (doc: LangiumDocument, line: number, character: number) =>
      Nas.lsp.SignatureHelp!.provideSignatureHelp(doc, { textDocument: { uri: doc.uri.toString() }, position: { line, character } });
    // Inside the parentheses of op and block calls, far apart in the file.
    const positions = [/conv\(/, /(?<= {2})Unit\d+\(/].flatMap((pattern) =>
      [0, 700, 1400].map((from) => {
        const line = lines.findIndex((l, i) => i >= from && pattern.test(l));
        return [line, lines[line]!.search(pattern) + lines[line]!.match(pattern)![0].length + 1] as const;
      }),
    );
    expect(
      await compareRequests(
        async (doc, line, character) => ((await help(doc, line, character))?.signatures.length ? 1 : undefined),
        lazy,
        eager,
        positions,
        lines,
      ),
    ).toBe(6);
    for (const [line, character] of positions) expect(await help(lazy, line, character)).toEqual(await help(eager, line, character));
    expect(elementsOf(lazy).filter((e) => !isCstPending(e)).length).toBeLessThanOrEqual(18);
  });
  it("a pending element's chunk lines contain its range, also after edits moved the chunk", async () => {
    const ws = new NasWorkspace();
    const uri = URI.file(path.join(ROOT, 'lazy-cst-lines.nas'));
    const text = generateLargeFile(600);
    await ws.addText(text, uri);
    const moved = '# a comment\n\n' + text.replace('block Unit3(', '\n\nblock Unit3(').replace('network Net2 {', 'network Net2 {\n');
    const doc = await ws.addText(moved, uri);
    let checked = 0;
    let starts = 0;
    const docs = [doc];
    for (const f of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.nas'))) {
      docs.push(await ws.addFile(path.join(ROOT, 'examples', f)));
    }
    for (const element of docs.flatMap(elementsOf)) {
      if (!isCstPending(element)) continue;
      const start = pendingStart(element);
      const lines = pendingLines(element);
      expect(lines).toBeDefined();
      const range = element.$cstNode!.range;
      expect(lines!.first).toBeLessThanOrEqual(range.start.line);
      expect(lines!.last).toBeGreaterThanOrEqual(range.end.line);
      expect(lines!.last - lines!.first).toBeLessThanOrEqual(range.end.line - range.start.line + 6); // comments and blank lines around it
      expect(pendingLines(element)).toBeUndefined();
      if (start) {
        expect(start).toEqual(range.start);
        starts++;
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    expect(starts).toBe(checked);
  });
});
