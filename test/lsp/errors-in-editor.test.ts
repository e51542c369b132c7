/**
 * A network with errors, as the editor shows it through the real client: figures that leave
 * out layers say so in the same words in the code lens, the header hint, the hover and the cost
 * report (the status bar's source), the statement with the error is marked "not counted", and a
 * layer with a misspelt attribute keeps its output shape so that the next messages name the
 * input the user wrote for them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, Hover, InlayHint } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, tempDir } from './client.js';
import { CostReportRequest } from '../../src/protocol/lsp-extensions.js';
import { describeCostReport } from '../../src/extension/describe-cost-report.js';

let client: LspClient;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  client = await LspClient.start(dir);
});

afterAll(async () => {
  await client?.stop();
});

async function open(name: string, text: string) {
  const uri = fileUri(path.join(dir, name));
  const before = client.publishCount.get(uri) ?? 0;
  client.open(uri, text);
  const diagnostics = await client.waitForDiagnostics(uri, () => true, 20_000, before);
  return { uri, diagnostics };
}

const inlayHints = async (uri: string) =>
  (await client.connection.sendRequest<InlayHint[] | null>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
  }))!;

// Line 3: a misspelt attribute (`strid`); the conv still makes 16 channels (its `out`), so the
// add on line 5 sees 16×32×32 from `b` and reports the 8-channel `a` against it.
const BROKEN = `network Broken {
  input(3, 32, 32)
  a = conv(8, k=3)
  b = conv(16, k=3, strid=2) -> relu
  c = conv(16, k=1)
  d = add(a, b)
  e = c -> gap -> fc(10)
}
`;

describe('a network with errors', () => {
  it('propagates the output shape of a layer with a bad attribute to the next messages', async () => {
    const { diagnostics } = await open('propagate.nas', BROKEN);
    const byLine = diagnostics.map((d) => `${d.range.start.line}: ${d.message}`).sort();
    expect(byLine[0]).toMatch(/^3: conv has no attribute `strid`; did you mean `stride`\?/);
    const add = diagnostics.find((d) => d.range.start.line === 5);
    expect(add?.message).toContain('16×32×32');
    expect(add?.message).toContain('8×32×32');
    expect(add?.message).not.toContain('3×32×32');
  });

  it('marks its totals as partial in the code lens, the hints, the hover and the cost report', async () => {
    const { uri } = await open('partial.nas', BROKEN);
    // Complete figures by hand: a = 3·3·3·8 = 216 params, 216·32·32 = 221,184 MACs; c = 16·16 = 256
    // params (input: the 16 channels of b), 262,144 MACs; fc = 16·10 + 10 = 170 params, 160 MACs;
    // activations (outputs of convs and fcs) 8·32·32 + 16·32·32 + 10 = 24,586.
    // `b` (line 3) and `d` (line 5) have errors and are left out.
    const params = 216 + 256 + 170;

    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses[0]!.command!.title).toBe('≥ 642 params · ≥ 483k MACs · ≥ 24.6k acts (2 layers with errors)');

    const hints = await inlayHints(uri);
    const byLine = new Map(hints.map((h) => [h.position.line, String(h.label)]));
    expect(byLine.get(0)).toBe('Σ ≥ 642 params · ≥ 483k MACs (2 layers with errors)');
    expect(byLine.get(2)).toBe('→ 8×32×32 · 216 params · 221k MACs');
    expect(byLine.get(3)).toBe('→ 16×32×32 · not counted (error)');
    expect(byLine.get(4)).toBe('→ 16×32×32 · 256 params · 262k MACs');

    const h = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 10 } });
    const hover = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
    expect(hover).toContain('≥ 642 params · ≥ 483k MACs (2 layers with errors)');
    expect(hover).toContain('2 statements of this definition did not elaborate');

    const report = await client.connection.sendRequest(CostReportRequest.type, { uri });
    const def = report.definitions[0]!;
    expect(def.totals!.params).toBe(params);
    expect(def.totals!.macs).toBe(221_184 + 262_144 + 160);
    expect(def.totals!.acts).toBe(24_586);
    expect(def.layersWithErrors).toBe(2);
    expect(describeCostReport(report, 'macs')!.text).toBe('$(pulse) ≥ 483k MACs · ≥ 642 params (2 layers with errors)');
  });

  it('shows complete figures without a mark once the errors are fixed', async () => {
    const { uri, diagnostics } = await open('fixed.nas', BROKEN.replace('strid=2', 'stride=1').replace('conv(8, k=3)', 'conv(16, k=3)'));
    expect(diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses[0]!.command!.title).not.toMatch(/≥|error/);
    const report = await client.connection.sendRequest(CostReportRequest.type, { uri });
    expect(report.definitions[0]!.layersWithErrors).toBeUndefined();
  });
});

describe('an error inside an imported file', () => {
  it('is shown at its use in the open file, with the place in the imported file as related information', async () => {
    const lib = ['# a library', '', 'block Bad(C: int) {', '  input x', '  y = x -> conv(C, k=3, strid=2)', '  output y', '}', ''].join('\n');
    fs.writeFileSync(path.join(dir, 'lib.nas'), lib);
    const { uri, diagnostics } = await open('uses-lib.nas', 'import "lib"\nnetwork N {\n  input(3, 8, 8)\n  Bad(8)\n  gap -> fc(10)\n}\n');
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    // On `Bad(8)` in this 6-line file, not at line 5 of lib.nas.
    expect(d.range).toEqual({ start: { line: 3, character: 2 }, end: { line: 3, character: 8 } });
    expect(d.message).toBe(
      'in block Bad (lib.nas): conv has no attribute `strid`; did you mean `stride`? (expected one of: out, k, stride, pad, dilation, groups, bias, kh, kw)',
    );
    expect(d.relatedInformation).toEqual([
      {
        location: { uri: fileUri(path.join(dir, 'lib.nas')), range: { start: { line: 4, character: 24 }, end: { line: 4, character: 29 } } },
        message: 'the error is here, in block Bad',
      },
    ]);
    expect(uri).not.toBe(d.relatedInformation![0]!.location.uri);
  });
});

describe('an unclosed bracket', () => {
  it('is named in the syntax error and pointed at as related information', async () => {
    const { uri, diagnostics } = await open('unclosed.nas', 'network A {\n  input(3, 8, 8)\n  conv(8, k=3\n  fc(10)\n}\n');
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d.range.start).toEqual({ line: 3, character: 2 });
    expect(d.message).toBe('expected `)`, found `fc`: the `(` on line 3, column 7 is not closed');
    expect(d.relatedInformation).toEqual([
      { location: { uri, range: { start: { line: 2, character: 6 }, end: { line: 2, character: 7 } } }, message: 'the unclosed `(`' },
    ]);
  });
});
