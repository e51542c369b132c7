/**
 * A fixed network in the editor, through a real client connection to the bundled server:
 * examples/darts_v2.nas (DARTS-V2 against darts_space.nas) has hovers on its space, cells,
 * lines, ops and inputs, inlay hints after each cell and line, and `nas/graph` draws it with
 * the ops by their DARTS names. The expected costs are DARTS's separable and dilated
 * convolutions counted by hand (Liu et al. 2019, operations.py): SepConv(C) is two
 * ReLU-dw3x3-pw1x1-BN, DilConv(C) one; no biases, BN affine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, Hover, InlayHint } from 'vscode-languageserver-protocol';
import { GraphRequest } from '../../src/protocol/lsp-extensions.js';
import { formatSI } from '../../src/shared/format-number.js';
import { LspClient, fileUri, tempDir } from '../lsp/client.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
let client: LspClient;
let dir: string;
let uri: string;
let lines: string[];

beforeAll(async () => {
  dir = tempDir();
  for (const f of ['darts_space.nas', 'darts_v2.nas', 'spos_space.nas']) fs.copyFileSync(path.join(EXAMPLES, f), path.join(dir, f));
  client = await LspClient.start(dir);
  uri = fileUri(path.join(dir, 'darts_v2.nas'));
  const text = fs.readFileSync(path.join(dir, 'darts_v2.nas'), 'utf8');
  lines = text.split('\n');
  client.open(uri, text);
  const diagnostics = await client.waitForDiagnostics(uri, () => true, 20_000, 0);
  expect(diagnostics).toEqual([]);
});

afterAll(async () => {
  await client?.stop();
});

/** The hover at the `nth` occurrence of `word` on the line that starts with `lineStart`. */
async function hoverAt(lineStart: string, word: string, nth = 0, docUri = uri, docLines = lines): Promise<string> {
  const line = docLines.findIndex((l) => l.trimStart().startsWith(lineStart));
  expect(line).toBeGreaterThanOrEqual(0);
  let character = -1;
  for (let i = 0; i <= nth; i++) character = docLines[line]!.indexOf(word, character + 1);
  expect(character).toBeGreaterThanOrEqual(0);
  const h = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: docUri }, position: { line, character } });
  return h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
}

async function hintsOf(docUri: string): Promise<Map<number, string>> {
  const hints = await client.connection.sendRequest<InlayHint[] | null>('textDocument/inlayHint', {
    textDocument: { uri: docUri },
    range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
  });
  return new Map(hints!.map((h) => [h.position.line, String(h.label)]));
}

// SepConv(C) at resolution h: two of (dw 3x3: 9C, pw: C·C, BN: 2C params; MACs (9C + C·C)·h·h).
const sepParams = (c: number) => 2 * (9 * c + c * c + 2 * c);
const sepMacs = (c: number, h: number) => 2 * (9 * c + c * c) * h * h;
const dilParams = (c: number) => 9 * c + c * c + 2 * c;
const dilMacs = (c: number, h: number) => (9 * c + c * c) * h * h;
// The 18 normal cells: 6 at C = 36 (32x32), 6 at 72 (16x16), 6 at 144 (8x8).
const STAGES: Array<[number, number]> = [
  [36, 32],
  [72, 16],
  [144, 8],
];
const overNormalCells = (f: (c: number, h: number) => number) => STAGES.reduce((s, [c, h]) => s + 6 * f(c, h), 0);

describe('hovers in examples/darts_v2.nas', () => {
  it('on the space: its signature and what the network fixes, with the totals', async () => {
    const text = await hoverAt('network DARTS_V2', 'DARTS(');
    expect(text).toContain('space DARTS(C: int = 16, N: int = 2, classes: int = 10)');
    expect(text).toContain('DARTS_V2 fixes 24 decisions of DARTS: input 3×32×32 → output 10');
    expect(text).toContain(`params ${formatSI(3_349_342)} · MACs ${formatSI(528_359_040)}`);
  });

  it("on an argument of the space: the space's parameter", async () => {
    expect(await hoverAt('network DARTS_V2', 'N=')).toContain('DARTS(N: int = 2)');
  });

  it('on a cell: its signature, documentation and its instances', async () => {
    expect(await hoverAt('NormalCell {', 'NormalCell')).toContain('18 instances in DARTS_V2, sharing this genotype (12 decisions)');
    const reduction = await hoverAt('ReductionCell {', 'ReductionCell');
    expect(reduction).toContain('cell ReductionCell(C: int)');
    expect(reduction).toContain('The reduction cell');
    expect(reduction).toContain('2 instances in DARTS_V2');
  });

  it('on an op: the option it names, its expression in the space, its layers in the first instance and over all', async () => {
    const text = await hoverAt('n0 = (sep_conv_3x3, p0)', 'sep_conv_3x3');
    expect(text).toContain('**sep_conv_3x3** of `n0` of cell NormalCell: option 4 of 8 of `DartsOp` (darts_space.nas, line 21)');
    expect(text).toContain('SepConv(C, k=3, stride=stride)');
    expect(text).toContain(
      `input 36×32×32 → output 36×32×32 · params ${formatSI(sepParams(36))} · MACs ${formatSI(sepMacs(36, 32))} (2 relu, 2 dwconv, 2 conv, 2 bn), first instance`,
    );
    expect(text).toContain(`18 instances: params ${formatSI(overNormalCells(sepParams))} · MACs ${formatSI(overNormalCells(sepMacs))}`);
    expect(text).toContain('options: none · max_pool_3x3 · avg_pool_3x3 · skip_connect · **sep_conv_3x3** · sep_conv_5x5 · dil_conv_3x3 · dil_conv_5x5');
  });

  it('on an op of a reduction cell: the stride-2 pooling halves the resolution', async () => {
    const text = await hoverAt('n1 = (skip_connect, n0), (max_pool_3x3, p1)', 'max_pool_3x3');
    expect(text).toContain('**max_pool_3x3** of `n1` of cell ReductionCell');
    expect(text).toContain('input 72×32×32 → output 72×16×16 · params 0 · MACs 0 (maxpool), first instance');
    // The pairs are read in the genotype's order: skip_connect goes to n0 (already 16x16).
    expect(await hoverAt('n1 = (skip_connect, n0), (max_pool_3x3, p1)', 'skip_connect')).toContain(
      'input 72×16×16 → output 72×16×16 · params 0 · MACs 0 (identity)',
    );
  });

  it('on an input: the inputs allowed there and its shape', async () => {
    const text = await hoverAt('n3 = (skip_connect, p0), (dil_conv_3x3, n0)', 'n0');
    expect(text).toContain('**input n0** of `n3` of cell NormalCell');
    expect(text).toContain('inputs allowed: 0 `p0`, 1 `p1`, 2 `n0`, 3 `n1`, 4 `n2`');
    expect(text).toContain('`n0`: 36×32×32 (first instance)');
  });

  it("on a line's name: the statement it fixes over every instance", async () => {
    const text = await hoverAt('n3 = (skip_connect, p0), (dil_conv_3x3, n0)', 'n3');
    expect(text).toContain(
      `\`n3\` of cell NormalCell (darts_space.nas, line 52): output 36×32×32 · params ${formatSI(overNormalCells(dilParams))} · MACs ${formatSI(overNormalCells(dilMacs))} over 18 instances`,
    );
  });
});

describe('inlay hints in examples/darts_v2.nas', () => {
  it('the totals after the header, instances after each cell, the statement after each line', async () => {
    const hints = await hintsOf(uri);
    const at = (start: string) => hints.get(lines.findIndex((l) => l.trimStart().startsWith(start)));
    expect(at('network DARTS_V2')).toBe(`Σ ${formatSI(3_349_342)} params · ${formatSI(528_359_040)} MACs`);
    expect(at('NormalCell {')).toMatch(/^×18 · Σ .* params · .* MACs$/);
    expect(at('ReductionCell {')).toMatch(/^×2 · Σ .* params · .* MACs$/);
    const two = (f: (c: number, h: number) => number) => 2 * overNormalCells(f);
    expect(at('n0 = (sep_conv_3x3, p0)')).toBe(`→ 36×32×32 · ${formatSI(two(sepParams))} params · ${formatSI(two(sepMacs))} MACs (×18)`);
    expect(at('n3 = (skip_connect, p0)')).toBe(`→ 36×32×32 · ${formatSI(overNormalCells(dilParams))} params · ${formatSI(overNormalCells(dilMacs))} MACs (×18)`);
    // Pools and skips have no parameters and no MACs.
    expect(at('n3 = (skip_connect, n0), (max_pool_3x3, p1)')).toBe('→ 72×16×16 (×2)');
  });

  it('decisions in order (SPOS): each line, the statement its decisions sit in', async () => {
    const text =
      'import "spos_space"\nnetwork A = SPOS with {\n  shuffle_3x3, shuffle_5x5, shuffle_7x7, xception\n  0, 1, 2, 3, 0, 1, 2, 3\n  0, 1, 2, 3, 0, 1, 2, 3\n}\n';
    const spos = fileUri(path.join(dir, 'spos-fixed.nas'));
    client.open(spos, text);
    expect(await client.waitForDiagnostics(spos, () => true, 20_000, 0)).toEqual([]);
    const hints = await hintsOf(spos);
    expect([...hints.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const line of [2, 3, 4]) expect(hints.get(line)).toMatch(/^→ \d+×\d+×\d+ · /);
    const hover = await hoverAt('shuffle_3x3', 'shuffle_5x5', 0, spos, text.split('\n'));
    expect(hover).toContain('**shuffle_5x5**');
    expect(hover).toContain('options: shuffle_3x3 · **shuffle_5x5** · shuffle_7x7 · xception');
  });
});

describe('the graph of examples/darts_v2.nas (nas/graph)', () => {
  it("has a 'Show graph' lens on the network and on each cell of its genotype, which draws the cell as instantiated there", async () => {
    const lenses = await client.connection.sendRequest<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } });
    const graphs = lenses!.filter((l) => l.command?.command === 'nas.showGraph').map((l) => [lines[l.range.start.line]!.trim(), l.command!.arguments]);
    expect(graphs).toEqual([
      [lines.find((l) => l.startsWith('network DARTS_V2'))!, [uri, 'DARTS_V2']],
      ['NormalCell {', [uri, 'NormalCell']],
      ['ReductionCell {', [uri, 'ReductionCell']],
    ]);
    const g = (await client.connection.sendRequest(GraphRequest.type, { uri, name: 'ReductionCell' }))!;
    expect(g.name).toBe('DARTS_V2');
    expect(g.focus).toBe('ReductionCell');
  });

  it('has the network totals and 24 fixed decisions labelled with the DARTS op names', async () => {
    const g = (await client.connection.sendRequest(GraphRequest.type, { uri, name: 'DARTS_V2' }))!;
    expect(g.kind).toBe('network');
    expect(g.totals.params).toBe(3_349_342);
    expect(g.totals.macs).toBe(528_359_040);
    expect(g.choices).toHaveLength(24);
    const taken = g.choices.filter((c) => c.labels).map((c) => c.labels![c.taken]);
    expect(taken.filter((l) => l === 'sep_conv_3x3')).toHaveLength(5);
    expect(taken.filter((l) => l === 'dil_conv_3x3')).toHaveLength(1);
    expect(taken.filter((l) => l === 'max_pool_3x3')).toHaveLength(5);
    expect(taken.filter((l) => l === 'skip_connect')).toHaveLength(5);
  });
});
