/**
 * Incremental checking (invariant 8 of docs/architecture.md) must be invisible: after
 * any sequence of edits, a document re-checked incrementally has exactly the diagnostics and
 * the network figures that a fresh check of the same text gives. The reference here is a
 * second workspace that checks every version under a new URI (nothing to reuse).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { CstUtils, URI, isLeafCstNode, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { NasWorkspace, type NasDiagnostic } from '../../src/core/workspace.js';
import { splitTopLevelChunks, topLevelKeywords } from '../../src/core/language/syntax/chunks.js';
import { NasGrammar } from '../../src/core/language/syntax/generated/grammar.js';
import { elaborateCached } from '../../src/core/semantics/evaluator/index.js';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast.js';
import { yieldToEventLoop } from '../helpers/event-loop.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const files = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.nas'))
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(EXAMPLES, f), 'utf8') }));

function summary(ws: NasWorkspace, doc: LangiumDocument): string[] {
  const key = (d: NasDiagnostic) =>
    `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.code} ${d.message}`;
  const out = ws.diagnostics(doc).map(key).sort();
  for (const e of (doc.parseResult.value as Document).elements) {
    if (e.$type !== 'Definition' || (e.kind !== 'network' && e.kind !== 'space')) continue;
    const r = elaborateCached(e as Definition);
    const t = r.graph.totals();
    out.push(`${e.name}: ${t.params} params, ${t.macs} MACs, ${r.trace.map((x) => `${x.key}/${x.options}`).join(' ')}`);
  }
  return out;
}

const TOKENS = ['(', ')', '{', '}', '\n', ' ', '\n\n', 'network', 'block', 'conv', 'x', '3', '#', '/*', '*/', '"s"', 'import', ',', '=', '->', 'C'];
const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, e: Edit): string {
  const t = text.match(/[A-Za-z_]\w*|\d+(?:\.\d+)?[kMGT]?|\s+|->|\/\/|\.\.|[^\s\w]/g) ?? [];
  if (t.length === 0) return text;
  const at = e.at % t.length;
  if (e.kind === 'delete') t.splice(at, e.len);
  else if (e.kind === 'insert') t.splice(at, 0, e.token);
  else if (e.kind === 'swap') {
    const o = e.other % t.length;
    [t[at], t[o]] = [t[o]!, t[at]!];
  } else t.splice(at, 0, ...t.slice(at, at + e.len));
  return t.join('');
}

describe('incremental checking', () => {
  it('splits at top-level keywords in column 0, never inside brackets, comments or after an unbalanced close', () => {
    const text = 'import "a"\n# c\nblock B {\nnetwork N {}\n}\n/* x\nnetwork Y */\nnetwork M { }\n)\nnetwork Z {}\n';
    const chunks = splitTopLevelChunks(text).map((c) => text.slice(c.start, c.end));
    expect(chunks).toEqual(['import "a"\n# c\n', 'block B {\nnetwork N {}\n}\n/* x\nnetwork Y */\n', 'network M { }\n)\nnetwork Z {}\n']);
    expect(chunks.join('')).toBe(text);
    expect(splitTopLevelChunks('').length).toBe(1);
    // `//` is floor division even before a `*`: no comment opens there.
    const floor = 'let a = 6 //* 2\nnetwork N {}\nlet b = 1 */ 3\n';
    expect(splitTopLevelChunks(floor).map((c) => floor.slice(c.start, c.end))).toEqual(['let a = 6 //* 2\n', 'network N {}\n', 'let b = 1 */ 3\n']);
  });

  it("splits only where Langium's lexer sees a top-level keyword in column 0 outside brackets", () => {
    const ws = new NasWorkspace();
    const lexer = ws.services.parser.Lexer;
    const openers = new Set(['(', '[', '{']);
    const closers = new Set([')', ']', '}']);
    const keywords = new Set(topLevelKeywords(NasGrammar()));
    expect([...keywords].sort()).toEqual(['block', 'cell', 'fn', 'import', 'let', 'network', 'op', 'search', 'space']);
    fc.assert(
      fc.property(fc.nat({ max: files.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 8 }), (fi, edits) => {
        const text = edits.reduce(apply, files[fi]!.text);
        // Where the lexer's tokens allow a split: a top-level keyword in column 0 at bracket depth 0, before any unbalanced close.
        const allowed = new Set<number>();
        let depth = 0;
        for (const t of lexer.tokenize(text).tokens) {
          if (t.startColumn === 1 && depth === 0 && keywords.has(t.tokenType.name)) allowed.add(t.startOffset);
          if (openers.has(t.image)) depth++;
          else if (closers.has(t.image) && --depth < 0) break;
        }
        for (const c of splitTopLevelChunks(text).slice(1))
          expect(allowed.has(c.start), `split at ${c.start}: ${JSON.stringify(text.slice(c.start, c.start + 20))}`).toBe(true);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('gives the diagnostics and figures of a fresh check after every edit of a random edit sequence', async () => {
    const incremental = new NasWorkspace();
    const fresh = new NasWorkspace();
    let version = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), async (fi, edits) => {
        const file = files[fi]!;
        const uri = URI.file(path.join(EXAMPLES, `incremental-${file.name}`));
        let text = file.text;
        await incremental.addText(text, uri);
        for (const e of edits) {
          text = apply(text, e);
          const a = await incremental.addText(text, uri);
          const b = await fresh.addText(text, URI.file(path.join(EXAMPLES, `fresh-${version++}-${file.name}`)));
          expect(summary(incremental, a), text).toEqual(summary(fresh, b));
        }
        await yieldToEventLoop();
      }),
      { numRuns: 60, seed: 20261127, endOnFailure: true },
    );
  }, 600_000);

  it('follows renames, removals, duplicates, import changes and moved lines', async () => {
    const incremental = new NasWorkspace();
    const fresh = new NasWorkspace();
    const uri = URI.file(path.join(EXAMPLES, 'incremental-scripted.nas'));
    const base = [
      'import "std/blocks"',
      'block Unit(C: int) {',
      '  input x',
      '  x -> conv(C, k=3) -> bn -> relu',
      '}',
      'network A {',
      '  input(3, 32, 32)',
      '  Unit(16) -> Unit(32) -> gap -> fc(10)',
      '}',
      'network B {',
      '  input(3, 32, 32)',
      '  conv(8, k=3) -> Unit(8) -> BasicBlock(8) -> gap -> fc(10)',
      '}',
      '',
    ].join('\n');
    const versions = [
      base,
      base.replace('block Unit(', 'block Unit2('), // every use becomes unknown
      base, // and resolves again
      base.replace('k=3) -> bn', 'k=5) -> bn'), // a block changes: both networks change cost
      base.replace('network B {\n  input(3, 32, 32)\n  conv(8, k=3) -> Unit(8) -> BasicBlock(8) -> gap -> fc(10)\n}\n', ''), // removal
      base + 'network A {\n  input(3, 8, 8)\n  gap\n}\n', // duplicate name
      base.replace('import "std/blocks"', '# no imports'), // imports change
      '\n\n# moved\n' + base, // everything moves down
      base.replace('Unit(16) -> Unit(32)', 'Unit(16) -> add(Unit(32))'), // an error inside a network
      base.replace('block Unit(C: int) {', 'block Unit(C: int) {\n  input y'), // a second input statement
    ];
    const seen: string[][] = [];
    let i = 0;
    for (const text of versions) {
      const a = await incremental.addText(text, uri);
      const b = await fresh.addText(text, URI.file(path.join(EXAMPLES, `fresh-scripted-${i++}.nas`)));
      const expected = summary(fresh, b);
      expect(summary(incremental, a), text).toEqual(expected);
      seen.push(expected);
    }
    // The versions do exercise what they claim (so that agreement means something).
    const has = (v: number, s: string) => seen[v]!.some((x) => x.includes(s));
    expect(has(0, 'error')).toBe(false);
    expect(has(1, 'unknown name `Unit`')).toBe(true);
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[3]!.find((x) => x.startsWith('A:'))).not.toBe(seen[0]!.find((x) => x.startsWith('A:')));
    expect(has(4, 'B:')).toBe(false);
    expect(has(5, 'duplicate-name')).toBe(true);
    expect(has(6, 'unknown name `BasicBlock`')).toBe(true);
    expect(seen[7]!.filter((x) => x.includes(' params'))).toEqual(seen[0]!.filter((x) => x.includes(' params')));
    expect(has(8, 'error')).toBe(true);
    expect(has(9, 'no-input')).toBe(true);
  });

  it('puts every token of a chunked parse where a whole-text lexer puts it (any line breaks)', async () => {
    const ws = new NasWorkspace();
    const lexer = ws.services.parser.Lexer;
    const breaks = ['\n', '\r\n', '\r', '\n\r'];
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: files.length - 1 }),
        fc.array(fc.record({ at: fc.nat(), brk: fc.constantFrom(...breaks), token: fc.constantFrom(...TOKENS, '"a\rb"', '#\r', '/*\r*/') }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (fi, inserts) => {
          let text = files[fi]!.text;
          for (const x of inserts) {
            const at = x.at % (text.length + 1);
            text = text.slice(0, at) + x.token + x.brk + text.slice(at);
          }
          const doc = await ws.addText(text, URI.file(path.join(EXAMPLES, `lex-${fi}.nas`)));
          const whole = lexer.tokenize(text);
          const byOffset = new Map([...whole.tokens, ...(whole.hidden ?? [])].map((t) => [t.startOffset, t]));
          let leaves = 0;
          for (const n of CstUtils.streamCst(doc.parseResult.value.$cstNode!)) {
            if (!isLeafCstNode(n)) continue;
            leaves++;
            const t = byOffset.get(n.offset);
            expect(t, `no token at ${n.offset} (${JSON.stringify(n.text)})`).toBeDefined();
            expect(n.text).toBe(t!.image);
            expect([n.range.start.line, n.range.start.character]).toEqual([t!.startLine! - 1, t!.startColumn! - 1]);
            expect([n.range.end.line, n.range.end.character]).toEqual([t!.endLine! - 1, t!.endColumn!]);
          }
          expect(leaves).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('re-parses only the chunk that changed and keeps the other elements', async () => {
    const ws = new NasWorkspace();
    const uri = URI.file(path.join(EXAMPLES, 'incremental-identity.nas'));
    const text = 'network A {\n  input(3, 8, 8)\n  conv(4, k=3)\n}\nnetwork B {\n  input(3, 8, 8)\n  conv(4, k=3)\n}\n';
    const before = (await ws.addText(text, uri)).parseResult.value as Document;
    const after = (await ws.addText(text.replace('conv(4, k=3)\n}\nnetwork B', 'conv(5, k=3)\n}\nnetwork B'), uri)).parseResult.value as Document;
    expect(after.elements[0]).not.toBe(before.elements[0]);
    expect(after.elements[1]).toBe(before.elements[1]);
    expect(after.elements[1]!.$container).toBe(after);
    expect(after.elements[1]!.$cstNode!.text).toBe('network B {\n  input(3, 8, 8)\n  conv(4, k=3)\n}');
  });

  it('forgets a deleted document: re-adding it parses everything anew', async () => {
    const ws = new NasWorkspace();
    const builder = ws.shared.workspace.DocumentBuilder;
    const uri = URI.file(path.join(EXAMPLES, 'incremental-forget.nas'));
    const text = 'network A {\n  input(3, 8, 8)\n  conv(4, k=3)\n}\n';
    const first = (await ws.addText(text, uri)).parseResult.value as Document;
    // Kept while the document lives (the same text gives the same element objects) ...
    expect(((await ws.addText(text, uri)).parseResult.value as Document).elements[0]).toBe(first.elements[0]);
    // ... and dropped when the workspace reports the file deleted, or the CLI removes it.
    await builder.update([], [uri]);
    const again = (await ws.addText(text, uri)).parseResult.value as Document;
    expect(again.elements[0]).not.toBe(first.elements[0]);
    await ws.removeDocument(uri);
    expect(((await ws.addText(text, uri)).parseResult.value as Document).elements[0]).not.toBe(again.elements[0]);
  });
});
