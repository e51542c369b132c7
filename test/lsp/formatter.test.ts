/**
 * The canonical printer (src/core/format/formatter.ts) on every example and standard-library
 * file: the output parses, has the same tokens and comments as the input, is a fixed point,
 * and keeps the elaborated networks' figures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI, isLeafCstNode, CstUtils, type LangiumDocument } from 'langium';
import { describe, expect, it } from 'vitest';
import { NasWorkspace } from '../../src/core/workspace.js';
import { formatDocument } from '../../src/core/format/formatter.js';
import { BUILTIN_DOCUMENTS } from '../../src/core/stdlib/index.js';
import type { Document } from '../../src/core/language/syntax/generated/ast.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');

function tokens(doc: LangiumDocument): string[] {
  const out: string[] = [];
  for (const n of CstUtils.streamCst(doc.parseResult.value.$cstNode!)) if (isLeafCstNode(n) && !n.hidden) out.push(n.text);
  return out;
}

function comments(text: string): string[] {
  return [...text.matchAll(/#[^\n\r]*|\/\*[\s\S]*?\*\//g)].map((m) => m[0].replace(/\s+/g, ' ').trim());
}

async function check(ws: NasWorkspace, name: string, text: string): Promise<string> {
  const doc = await ws.addText(text, URI.file(`/virtual/${name}`));
  expect(doc.parseResult.parserErrors).toEqual([]);
  const once = formatDocument(doc.parseResult.value as Document, text);
  const redoc = await ws.addText(once, URI.file(`/virtual/formatted-${name}`));
  expect(redoc.parseResult.parserErrors).toEqual([]);
  expect(tokens(redoc)).toEqual(tokens(doc));
  expect(comments(once)).toEqual(comments(text));
  expect(formatDocument(redoc.parseResult.value as Document, once)).toBe(once);
  for (const line of once.split('\n')) expect(line).toBe(line.trimEnd());
  return once;
}

describe('canonical formatter', () => {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.nas'));

  it('is a fixed point that keeps tokens and comments, on every example and std file', async () => {
    const ws = new NasWorkspace();
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) await check(ws, f, fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    for (const b of BUILTIN_DOCUMENTS) await check(ws, path.basename(b.uri), b.text);
  });

  it('prints the canonical spacing and indentation', async () => {
    const ws = new NasWorkspace();
    const out = await check(
      ws,
      'messy.nas',
      'let  w=[16,32 ,64]\nblock B( C:int,*xs:tensor ){\ninput x\n  y=x->conv(C,k=3,pad=-1)  ->bn\n    for i in 0..2 step 1{\n y->relu\n}\n  out=choice(identity, # one\n   conv(C,k=1)) # two\n  output x.c*2//2+y[0]}',
    );
    expect(out).toBe(
      'let w = [16, 32, 64]\nblock B(C: int, *xs: tensor) {\n  input x\n  y = x -> conv(C, k=3, pad=-1) -> bn\n  for i in 0..2 step 1 {\n    y -> relu\n  }\n  out = choice(identity,      # one\n               conv(C, k=1))  # two\n  output x.c * 2 // 2 + y[0]\n}\n',
    );
  });

  it('returns text that does not parse unchanged', async () => {
    const ws = new NasWorkspace();
    const text = 'network N {\n  input(3, 8\n';
    const doc = await ws.addText(text, URI.file('/virtual/broken.nas'));
    expect(formatDocument(doc.parseResult.value as Document, text, { hasErrors: true })).toBe(text);
  });

  it('keeps the figures of the example networks', async () => {
    const ws = new NasWorkspace();
    const { elaborate } = await import('../../src/core/semantics/evaluator/index.js');
    for (const f of files.filter((x) => !x.includes('search'))) {
      const file = path.join(EXAMPLES, f);
      const text = fs.readFileSync(file, 'utf8');
      const doc = await ws.addText(text, URI.file(file));
      const formatted = formatDocument(doc.parseResult.value as Document, text);
      const figures = (d: LangiumDocument) =>
        (d.parseResult.value as Document).elements
          .filter((e) => e.$type === 'Definition' && (e.kind === 'network' || e.kind === 'space'))
          .map((e) => elaborate(e as never).graph.totals());
      const before = figures(doc);
      const after = figures(await ws.addText(formatted, URI.file(file)));
      expect(after).toEqual(before);
    }
  });
});
