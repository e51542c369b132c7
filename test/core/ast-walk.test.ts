/**
 * The hand-written AST walk (src/core/language/ast-walk.ts) against Langium's generic streams:
 * the same nodes in the same order and the same references, on every example, the standard
 * library, a generated large file and damaged texts (partial ASTs after syntax errors).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AstUtils, URI, type AstNode } from 'langium';
import { describe, expect, it } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { allNodesOf, contentsOf } from '../../src/core/language/services/ast-walk.js';
import { BUILTIN_DOCUMENTS } from '../../src/core/stdlib/index.js';
import { Rng } from '../../src/core/util/random.js';
import { generateLargeFile } from '../../bench/generated-file.js';
import { yieldToEventLoop } from '../helpers/event-loop.js';

const EXAMPLES = path.resolve(__dirname, '../../examples');

function texts(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith('.nas'))) out.push([f, fs.readFileSync(path.join(EXAMPLES, f), 'utf8')]);
  for (const b of BUILTIN_DOCUMENTS) out.push([b.uri, b.text]);
  out.push(['generated.nas', generateLargeFile(600)]);
  return out;
}

/** Damaged copies: a few characters deleted, or a cut, at seeded random places. */
function damaged(text: string, seed: number, count: number): string[] {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = rng.int(text.length);
    out.push(i % 3 === 0 ? text.slice(0, at) : text.slice(0, at) + text.slice(at + 1 + rng.int(6)));
  }
  return out;
}

function expectSameAsLangium(root: AstNode): void {
  const mine = allNodesOf(root);
  const langium = AstUtils.streamAst(root).toArray();
  expect(mine.length).toBe(langium.length);
  for (let i = 0; i < mine.length; i++) expect(mine[i]).toBe(langium[i]);
  for (const element of AstUtils.streamContents(root)) {
    const refs = contentsOf(element).references;
    const expected = AstUtils.streamAst(element)
      .flatMap((n) => AstUtils.streamReferences(n))
      .toArray();
    expect(refs.map((r) => [r.container, r.property, r.reference])).toEqual(expected.map((r) => [r.container, r.property, r.reference]));
    expect(contentsOf(element).nodes).toEqual(AstUtils.streamAst(element).toArray());
  }
}

describe('ast walk', () => {
  const ws = new NasWorkspace();
  const factory = ws.shared.workspace.LangiumDocumentFactory;

  it('visits the nodes and references Langium streams, in its order, on every example', () => {
    let nodes = 0;
    for (const [name, text] of texts()) {
      const doc = factory.fromString(text, URI.file(`/walk/${name.replace(/[^\w.]/g, '_')}.nas`));
      expect(doc.parseResult.parserErrors, name).toEqual([]);
      expectSameAsLangium(doc.parseResult.value);
      nodes += allNodesOf(doc.parseResult.value).length;
    }
    expect(nodes).toBeGreaterThan(5_000);
  });

  it('does the same on partial ASTs after syntax errors', async () => {
    let withErrors = 0;
    for (const [name, text] of texts().filter(([n]) => n.endsWith('.nas'))) {
      await yieldToEventLoop();
      damaged(text, name.length, 25).forEach((t, i) => {
        const doc = factory.fromString(t, URI.file(`/walk/damaged-${i}-${name}`));
        if (doc.parseResult.parserErrors.length > 0) withErrors++;
        expectSameAsLangium(doc.parseResult.value);
      });
    }
    // The damage must really produce syntax errors, or this test checks nothing new.
    expect(withErrors).toBeGreaterThan(50);
  });
});
