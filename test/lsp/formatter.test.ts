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

  it('prints fixed networks canonically: one line per decision line, labels and items `name: value`, call-style arguments', async () => {
    const ws = new NasWorkspace();
    const out = await check(
      ws,
      'fixed.nas',
      'block Op(C:int){choice( none:zero ,skip:identity )}\nnetwork  A=S ( C = 36,N=6 )  with{Cell{n1=( none ,n0 )\n n2 = none,skip n3=[a,b] , k :3,-1, "x"}\n  out = 1 output=2}\nnetwork E = S with {\n}\n',
    );
    expect(out).toBe(
      'block Op(C: int) {\n  choice(none: zero, skip: identity)\n}\nnetwork A = S(C=36, N=6) with {\n  Cell {\n    n1 = (none, n0)\n    n2 = none, skip\n    n3 = [a, b], k: 3, -1, "x"\n  }\n  out = 1\n  output = 2\n}\nnetwork E = S with {}\n',
    );
  });

  it('leaves the readable architectures describe.ts prints as they are (they are canonical)', async () => {
    const { ArchitectureSpace } = await import('../../src/core/search/architecture-space.js');
    const { describeArchitecture } = await import('../../src/core/search/describe.js');
    const { Rng } = await import('../../src/core/util/random.js');
    const ws = new NasWorkspace();
    for (const [f, name] of [
      ['darts_space.nas', 'DARTS'],
      ['mnasnet_space.nas', 'MnasNetSpace'],
      ['smnas_space.nas', 'SMNAS'],
    ]) {
      const file = path.join(EXAMPLES, f!);
      const doc = await ws.addText(fs.readFileSync(file, 'utf8'), URI.file(file));
      const def = (doc.parseResult.value as Document).elements.find((e) => e.$type === 'Definition' && e.name === name);
      const space = new ArchitectureSpace(def as never);
      const text = describeArchitecture(space, space.sample(new Rng(5)), 'nas', { header: ['a comment'] });
      expect(await check(ws, `described-${name}.nas`, text)).toBe(text);
    }
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
