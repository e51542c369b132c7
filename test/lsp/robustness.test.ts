/**
 * Bad input through the real client: the server answers every request, never crashes, never
 * reports a position outside the document (its memory over many edits: robustness.slow.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { fileUri, type LspClient } from './client.js';
import { serverPerFile } from '../helpers/lsp-suite.js';

let client: LspClient;
let dir: string;

serverPerFile((c, d) => {
  client = c;
  dir = d;
});

/** A deterministic pseudo-random string over an alphabet. */
function randomText(length: number, alphabet: string, seed = 1): string {
  const out: string[] = [];
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(alphabet[(s >>> 8) % alphabet.length]!);
  }
  return out.join('');
}

function expectInside(text: string, diagnostics: Diagnostic[]): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const d of diagnostics) {
    for (const p of [d.range.start, d.range.end]) {
      expect(p.line).toBeGreaterThanOrEqual(0);
      expect(p.line).toBeLessThan(lines.length);
      expect(p.character).toBeGreaterThanOrEqual(0);
      expect(p.character).toBeLessThanOrEqual(lines[p.line]!.length);
    }
  }
}

/** Every request kind the editor sends on a file, all of which must be answered. */
async function exerciseRequests(uri: string, text: string): Promise<void> {
  const lines = text.split('\n');
  const last = { line: lines.length - 1, character: lines[lines.length - 1]!.length };
  const middle = { line: Math.floor(lines.length / 2), character: 0 };
  const td = { textDocument: { uri } };
  const results = await Promise.allSettled([
    client.connection.sendRequest<Hover | null>('textDocument/hover', { ...td, position: middle }),
    client.connection.sendRequest('textDocument/inlayHint', { ...td, range: { start: { line: 0, character: 0 }, end: last } }),
    client.connection.sendRequest('textDocument/completion', { ...td, position: last }),
    client.connection.sendRequest('textDocument/documentSymbol', td),
    client.connection.sendRequest('textDocument/foldingRange', td),
    client.connection.sendRequest('textDocument/codeLens', td),
    client.connection.sendRequest('textDocument/formatting', { ...td, options: { tabSize: 2, insertSpaces: true } }),
    client.connection.sendRequest('textDocument/semanticTokens/full', td),
    client.connection.sendRequest('nas/costReport', { uri }),
  ]);
  // Answered: a result or an error response, never silence (the await above would time out).
  expect(results).toHaveLength(9);
  expect(client.exited).toBeUndefined();
}

async function openAndCheck(name: string, text: string, timeoutMs = 30_000): Promise<Diagnostic[]> {
  const uri = fileUri(path.join(dir, name));
  client.open(uri, text);
  const diagnostics = await client.waitForDiagnostics(uri, () => true, timeoutMs);
  expectInside(text, diagnostics);
  await exerciseRequests(uri, text);
  return diagnostics;
}

describe('bad input', () => {
  it('survives a megabyte of garbage and caps its diagnostics', async () => {
    const garbage = randomText(1_000_000, 'abc(){}[]=->,.0123 "\n#*/+');
    const diagnostics = await openAndCheck('garbage.nas', garbage, 60_000);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.length).toBeLessThanOrEqual(501);
  });

  it('reports 10,000-deep nesting as one syntax error instead of overflowing the parser', async () => {
    const parens = 'network N {\n  input(3, 8, 8)\n  x = ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + '\n}\n';
    const d1 = await openAndCheck('deep-parens.nas', parens);
    expect(d1.map((d) => d.code)).toEqual(['syntax']);
    expect(d1[0]!.message).toContain('nested deeper than');
    expect(d1[0]!.range.start).toEqual({ line: 2, character: 6 + 32 });
    const braces = 'network N {\n  input(3, 8, 8)\n' + 'for i in [1] {\n'.repeat(10_000) + '}\n'.repeat(10_000) + '}\n';
    const d2 = await openAndCheck('deep-braces.nas', braces);
    expect(d2.map((d) => d.code)).toEqual(['syntax']);
    const minus = 'let a = ' + '-'.repeat(10_000) + '1\n';
    expect((await openAndCheck('deep-minus.nas', minus)).map((d) => d.code)).toEqual(['syntax']);
  });

  it('handles an import cycle (and blocks that call each other through it)', async () => {
    fs.writeFileSync(path.join(dir, 'cycle-b.nas'), 'import "cycle-a"\nblock B(C: int) {\n  A(C)\n}\n');
    const a = 'import "cycle-b"\nblock A(C: int) {\n  B(C)\n}\nnetwork N {\n  input(3, 8, 8)\n  A(8)\n}\n';
    const diagnostics = await openAndCheck('cycle-a.nas', a);
    expect(diagnostics.map((d) => d.code)).toContain('recursion');
  });

  it('handles a missing imported file', async () => {
    const diagnostics = await openAndCheck('missing-import.nas', 'import "does/not/exist"\nnetwork N {\n  input(3, 8, 8)\n  Missing(8)\n}\n');
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['import-not-found', 'unknown-name']);
  });

  it('handles binary bytes', async () => {
    const bytes = Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919 + 13) % 256)).join('');
    await openAndCheck('binary.nas', bytes);
    await openAndCheck('nul.nas', 'network N {\u0000\n  input(3, 8, 8)\uFFFD\n  relu\n}\n');
  });

  it('reports correct positions with CRLF line endings', async () => {
    const text = 'network N {\r\n  input(3, 8, 8)\r\n  conv(8, k=3) -> bnn\r\n}\r\n';
    const diagnostics = await openAndCheck('crlf.nas', text);
    expect(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character])).toEqual([['unknown-name', 2, 18]]);
    const uri = fileUri(path.join(dir, 'crlf.nas'));
    const hints = await client.connection.sendRequest<Array<{ position: { line: number; character: number } }>>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } },
    });
    for (const h of hints) expect(h.position.character).toBe(text.split('\r\n')[h.position.line]!.length);
  });

  it('keeps up with edits faster than it can check: the last version wins and requests are answered', async () => {
    const uri = fileUri(path.join(dir, 'fast.nas'));
    const body = (i: number) =>
      `network N {\n  input(3, 32, 32)\n${Array.from({ length: 300 }, (_, j) => `  conv(${8 + ((i + j) % 8)}, k=3) -> bn -> relu`).join('\n')}\n  x -> bnn${i}\n}\n`;
    client.open(uri, body(0));
    const hovers: Array<Promise<unknown>> = [];
    for (let i = 1; i <= 100; i++) {
      client.change(uri, body(i));
      if (i % 10 === 0) hovers.push(client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } }));
    }
    const final = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.message.includes('`bnn100`')), 30_000);
    expectInside(body(100), final);
    await Promise.allSettled(hovers);
    expect(hovers).toHaveLength(10);
    expect(client.exited).toBeUndefined();
  });
});

describe('slow analyses', () => {
  it('stays responsive while a huge space is being counted on the worker thread', async () => {
    const text = fs.readFileSync(path.resolve(import.meta.dirname, '../../examples/nasnet_space.nas'), 'utf8');
    const uri = fileUri(path.join(dir, 'nasnet.nas'));
    client.open(uri, text);
    await client.waitForDiagnostics(uri);
    const hintLabels = async () =>
      (
        await client.connection.sendRequest<Array<{ label: string; position: { line: number } }>>('textDocument/inlayHint', {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } },
        })
      ).map((h) => h.label);
    expect(await hintLabels()).toContain('counting architectures…');
    // Counting NASNet's space takes minutes; the editor's requests must not wait for it: they
    // are answered while the figures are still being counted.
    const hover = await client.connection.sendRequest<{ contents: unknown } | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 1, character: 0 },
    });
    const lenses = await client.connection.sendRequest<unknown[]>('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses.length).toBeGreaterThan(0);
    expect(hover === null || hover.contents !== undefined).toBe(true);
    // Answered before the space's size was known (it never is within the worker's time limit).
    expect((await hintLabels()).filter((l) => / archs? · /.test(l))).toEqual([]);
  });
});

describe('parser failures', () => {
  it('turns input on which the parser throws into syntax diagnostics', async () => {
    // Langium 4.2.1's error recovery throws on this one; the core's document factory retries.
    const diagnostics = await openAndCheck('parser-throws.nas', 'space S(a: int = {\n');
    expect(diagnostics.map((d) => d.code)).toContain('syntax');
  });
});
