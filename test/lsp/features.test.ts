/**
 * LSP features through a real client connection to the spawned, bundled server. Cursor
 * positions are marked in the fixtures with `<|>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  CodeAction,
  CodeLens,
  CompletionList,
  Hover,
  InlayHint,
  Location,
  LocationLink,
  SignatureHelp,
  TextEdit,
  WorkspaceEdit,
  DocumentSymbol,
  FoldingRange,
  SemanticTokens,
} from 'vscode-languageserver-protocol';
import { marked } from 'marked';
import { fileUri, parseCursors, type LspClient } from './client.js';
import { serverPerFile } from '../helpers/lsp-suite.js';
import { CostReportRequest, GraphRequest } from '../../src/protocol/lsp-extensions.js';

let client: LspClient;
let dir: string;

serverPerFile((c, d) => {
  client = c;
  dir = d;
});

const doc = (name: string) => fileUri(path.join(dir, name));

/** Opens a fixture and waits for its first diagnostics. */
async function openFixture(name: string, marked: string) {
  const { text, cursors } = parseCursors(marked);
  const uri = doc(name);
  const before = client.publishCount.get(uri) ?? 0;
  client.open(uri, text);
  const diagnostics = await client.waitForDiagnostics(uri, () => true, 20_000, before);
  return { uri, text, cursors, diagnostics };
}

const hover = (uri: string, position: { line: number; character: number }) =>
  client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
const hoverText = async (uri: string, position: { line: number; character: number }) => {
  const h = await hover(uri, position);
  return h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
};
const inlayHints = (uri: string) =>
  client.connection.sendRequest<InlayHint[] | null>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
  });

const NET = `import "std/blocks"

/** A small residual net. */
network Net(classes: int = 10) {
  input(3, 32, 32)
  x = <|>conv(16, k=3) -> bn -> relu
  y = x -> Basic<|>Block(16)
  z = add(x, y)
  gap -> fc(classes)
}
`;

describe('initialize', () => {
  it('announces the features the server implements', () => {
    const caps = client.initializeResult!.capabilities;
    expect(caps.hoverProvider).toBeTruthy();
    expect(caps.inlayHintProvider).toBeTruthy();
    expect(caps.codeLensProvider).toBeTruthy();
    expect(caps.completionProvider).toBeTruthy();
    expect(caps.signatureHelpProvider?.triggerCharacters).toContain('(');
    expect(caps.definitionProvider && caps.referencesProvider && caps.renameProvider).toBeTruthy();
    expect(caps.documentFormattingProvider && caps.documentSymbolProvider && caps.foldingRangeProvider).toBeTruthy();
    expect(caps.codeActionProvider && caps.semanticTokensProvider).toBeTruthy();
  });
});

describe('diagnostics', () => {
  it('publishes on open and on every change, with codes and ranges', async () => {
    const { uri, diagnostics } = await openFixture('diag.nas', 'network N {\n  input(3, 8, 8)\n  conv(8, k=3) -> bnn\n}\n');
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown-name']);
    expect(diagnostics[0]!.message).toContain('did you mean `bn`');
    expect(diagnostics[0]!.range).toEqual({ start: { line: 2, character: 18 }, end: { line: 2, character: 21 } });
    const n = client.publishCount.get(uri)!;
    client.change(uri, 'network N {\n  input(3, 8, 8)\n  conv(8, k=3) -> bn\n}\n');
    expect(await client.waitForDiagnostics(uri, (d) => d.length === 0, 20_000, n)).toEqual([]);
  });

  it('re-checks an importer when the imported file changes, and loads imports that are not open from disk', async () => {
    fs.writeFileSync(path.join(dir, 'lib-disk.nas'), 'block Stem(C: int) {\n  conv(C, k=3) -> bn\n}\n');
    const { uri: libUri } = await openFixture('lib.nas', 'block Widen(C: int) {\n  conv(C, k=1)\n}\n');
    const { uri, diagnostics } = await openFixture(
      'main.nas',
      'import "lib"\nimport "lib-disk"\nnetwork M {\n  input(3, 8, 8)\n  x = Stem(8)\n  y = x -> Widen(8)\n  add(x, y)\n}\n',
    );
    expect(diagnostics).toEqual([]);
    const n = client.publishCount.get(uri)!;
    // The imported block now widens to 16 channels: add(x, y) no longer matches in main.nas.
    client.change(libUri, 'block Widen(C: int) {\n  conv(C * 2, k=1)\n}\n');
    const after = await client.waitForDiagnostics(uri, (d) => d.length > 0, 20_000, n);
    expect(after.map((d) => d.code)).toEqual(['shape-mismatch']);
    expect(after[0]!.range.start.line).toBe(6);
  });

  it('reports a missing imported file at the import', async () => {
    const { diagnostics } = await openFixture('missing.nas', 'import "nowhere"\nnetwork M {\n  input(3, 8, 8)\n  relu\n}\n');
    expect(diagnostics.map((d) => d.code)).toEqual(['import-not-found']);
    expect(diagnostics[0]!.range.start.line).toBe(0);
  });
});

describe('hover', () => {
  it('shows shapes, params, MACs and the formula of an op use', async () => {
    const { uri, cursors } = await openFixture('hover.nas', NET);
    const text = await hoverText(uri, cursors[0]!);
    expect(text).toContain('op conv(out: int');
    expect(text).toContain('input 3×32×32 → output 16×32×32');
    expect(text).toContain('params 432 — `k·k·Cin/g·Cout = 3·3·3/1·16`');
    expect(text).toContain('MACs 442k — `k·k·Cin/g·Cout·Hout·Wout = 3·3·3/1·16·32·32`');
  });

  it('renders op formulas as code, not as emphasis (a Markdown renderer reads the hover)', async () => {
    const { uri, cursors } = await openFixture('hover-markdown.nas', NET);
    const html = await marked.parse(await hoverText(uri, cursors[0]!));
    // The documentation's formulas survive: `*` is not eaten as italics.
    expect(html).toContain('<code>k*k*(in/groups)*out</code>');
    expect(html).toContain('<code>k*k*(in/groups)*out*H_out*W_out</code>');
    expect(html).toContain('<code>dilation*(k-1)/2</code>');
    expect(html).not.toMatch(/<em>|<strong>/);
  });

  it('shows the documentation and figures of a block use', async () => {
    const { uri, cursors } = await openFixture('hover-block.nas', NET);
    const text = await hoverText(uri, cursors[1]!);
    expect(text).toContain('block BasicBlock(C: int, stride: int = 1)');
    expect(text).toContain('ResNet basic block');
    expect(text).toContain('input 16×32×32 → output 16×32×32');
    // Two 3x3 convs of 16→16 channels and two BNs: 2·(2304 + 32) params.
    expect(text).toContain('params 4.67k');
  });

  it('shows the options of a choice and the cost range they span', async () => {
    const { uri, cursors } = await openFixture('hover-choice.nas', 'space S {\n  input(3, 8, 8)\n  conv(8, k=<|>choice(1, 3, 5)) -> bn\n}\n');
    const text = await hoverText(uri, cursors[0]!);
    expect(text).toContain('**choice** of 3 options');
    expect(text).toContain('- `1`: S params 40 · MACs 1.54k');
    expect(text).toContain('- `5`: S params 616 · MACs 38.4k');
    expect(text).toContain('MACs 1.54k–38.4k');
  });

  it('shows the doc comment of a definition at its name', async () => {
    const { uri } = await openFixture('hover-def.nas', NET);
    const text = await hoverText(uri, { line: 3, character: 9 });
    expect(text).toContain('network Net(classes: int = 10)');
    expect(text).toContain('A small residual net.');
  });
});

describe('inlay hints', () => {
  it('shows shape and cost after each statement and totals after a network header', async () => {
    const { uri } = await openFixture('hints.nas', NET);
    const hints = (await inlayHints(uri))!;
    const byLine = new Map(hints.map((h) => [h.position.line, String(h.label)]));
    expect(byLine.get(3)).toMatch(/^Σ .* params · .* MACs$/);
    expect(byLine.get(4)).toBe('→ 3×32×32');
    expect(byLine.get(5)).toBe('→ 16×32×32 · 464 params · 442k MACs');
    expect(byLine.get(8)).toBe('→ 10 · 170 params · 160 MACs');
    // The tooltip names each figure in words, exactly.
    const tip = hints.find((h) => h.position.line === 5)!.tooltip as { kind: string; value: string };
    expect(tip.kind).toBe('markdown');
    expect(tip.value).toContain('output shape 16×32×32 (channels × height × width)');
    expect(tip.value).toContain('464 parameters');
    expect(tip.value).toContain('442,368 MACs (multiply-accumulates)');
    for (const h of hints) expect(h.position.character).toBe(client.text(uri).split('\n')[h.position.line]!.trimEnd().length);
  });

  it('shows a space size and its cost range', async () => {
    const { uri } = await openFixture(
      'hints-space.nas',
      'space S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=choice(1, 3, 5)) -> bn\n  conv(choice(8, 16), k=choice(1, 3, 5))\n}\n',
    );
    // The figures are computed on a worker thread: the header says so until they are ready.
    const header = async () => String((await inlayHints(uri))!.find((h) => h.position.line === 0)?.label);
    await expect.poll(header, { timeout: 20_000 }).toMatch(/^36 archs · .*–.* MACs · .*–.* params$/);
  });

  it("keeps a space's figures across edits elsewhere and recomputes them when the space changes", async () => {
    const space = 'space S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=choice(1, 3, 5)) -> bn\n}\n';
    const net = 'network N {\n  input(3, 8, 8)\n  conv(8, k=3)\n}\n';
    const { uri } = await openFixture('hints-space-kept.nas', space + net);
    const header = async () => String((await inlayHints(uri))!.find((h) => h.position.line === 0)?.label);
    await expect.poll(header, { timeout: 20_000 }).toMatch(/^6 archs · /);
    // An edit of the network: the space's fingerprint is unchanged, so its figures are
    // there as soon as the diagnostics are (no "counting architectures…" in between).
    let n = client.publishCount.get(uri)!;
    client.edit(uri, 6, 7, 1, '4');
    await client.waitForDiagnostics(uri, () => true, 20_000, n);
    expect(await header()).toMatch(/^6 archs · /);
    // An edit of the space: new figures.
    n = client.publishCount.get(uri)!;
    client.edit(uri, 2, 38, 0, ', 7');
    await client.waitForDiagnostics(uri, () => true, 20_000, n);
    await expect.poll(header, { timeout: 20_000 }).toMatch(/^8 archs · /);
  });

  it('follows the settings: FLOPs instead of MACs, or off', async () => {
    const { uri } = await openFixture('hints-settings.nas', NET);
    client.settings.inlayHints.cost = 'flops';
    client.changeSettings();
    await expect
      .poll(async () => (await inlayHints(uri))!.find((h) => h.position.line === 5)?.label, { timeout: 10_000 })
      .toBe('→ 16×32×32 · 464 params · 885k FLOPs');
    client.settings.inlayHints.enabled = false;
    client.changeSettings();
    await expect.poll(async () => (await inlayHints(uri))!.length, { timeout: 10_000 }).toBe(0);
    client.settings.inlayHints = { enabled: true, cost: 'macs' };
    client.changeSettings();
    await expect.poll(async () => (await inlayHints(uri))!.length, { timeout: 10_000 }).toBeGreaterThan(0);
  });
});

describe('editing features', () => {
  it('completes keywords, names in scope with docs, attributes and snippets', async () => {
    const { uri, cursors } = await openFixture(
      'complete.nas',
      'import "std/blocks"\n<|>\nnetwork N {\n  input(3, 8, 8)\n  x = conv(8, <|>)\n  x -> Bas<|>\n}\n',
    );
    const at = (i: number) => client.connection.sendRequest<CompletionList>('textDocument/completion', { textDocument: { uri }, position: cursors[i]! });
    const top = (await at(0)).items.map((i) => i.label);
    expect(top).toEqual(expect.arrayContaining(['network', 'space', 'block', 'cell', 'search', 'import']));
    expect((await at(0)).items.find((i) => i.label === 'cell' && i.kind === 15)?.insertText).toContain('input s0, s1');
    const attrs = (await at(1)).items;
    expect(attrs.map((i) => i.label)).toEqual(expect.arrayContaining(['k =', 'stride =', 'groups =']));
    const names = (await at(2)).items;
    const basic = names.find((i) => i.label === 'BasicBlock')!;
    expect(basic.detail).toBe('block BasicBlock(C: int, stride: int = 1)');
    expect(JSON.stringify(basic.documentation)).toContain('ResNet basic block');
  });

  it('gives signature help for op attributes', async () => {
    const { uri, cursors } = await openFixture('signature.nas', 'network N {\n  input(3, 8, 8)\n  conv(8, k=3, <|>)\n}\n');
    const help = await client.connection.sendRequest<SignatureHelp>('textDocument/signatureHelp', { textDocument: { uri }, position: cursors[0]! });
    expect(help.signatures[0]!.label).toMatch(/^op conv\(out: int, k: int = 1, stride: int = 1/);
    expect(help.activeParameter).toBe(2);
  });

  it('goes to definitions across files and finds references', async () => {
    const { uri, cursors } = await openFixture('nav.nas', NET);
    const defs = await client.connection.sendRequest<LocationLink[]>('textDocument/definition', { textDocument: { uri }, position: cursors[1]! });
    expect(defs.map((d) => d.targetUri)).toEqual(['builtin:/std/blocks.nas']);
    const refs = await client.connection.sendRequest<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: { line: 6, character: 2 },
      context: { includeDeclaration: true },
    });
    expect(
      refs
        .filter((r) => r.uri === uri)
        .map((r) => r.range.start.line)
        .sort(),
    ).toEqual([6, 7]); // y: its declaration and its use in add(x, y)
  });

  it('renames a node and all its uses', async () => {
    const { uri } = await openFixture('rename.nas', NET);
    const edit = await client.connection.sendRequest<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri },
      position: { line: 5, character: 2 },
      newName: 'stem',
    });
    const edits = edit.changes![uri]!;
    expect(edits.map((e) => [e.range.start.line, e.range.start.character, e.newText])).toEqual(
      expect.arrayContaining([
        [5, 2, 'stem'],
        [6, 6, 'stem'],
        [7, 10, 'stem'],
      ]),
    );
    expect(edits).toHaveLength(3);
  });

  it('finds references and renames across files, and relinks an importer when the imported file changes', async () => {
    // The references index is built when first read (NasIndexManager): both files are checked
    // before anything reads it.
    const lib = 'block Foo(C: int) {\n  input x\n  x -> conv(C, k=3) -> relu\n}\n';
    const app = 'import "lib"\nnetwork App {\n  input(3, 8, 8)\n  a = Foo(8)\n  a -> Foo(8)\n}\n';
    fs.writeFileSync(path.join(dir, 'lib.nas'), lib);
    fs.writeFileSync(path.join(dir, 'app.nas'), app);
    const { uri: libUri } = await openFixture('lib.nas', lib);
    const { uri: appUri, diagnostics } = await openFixture('app.nas', app);
    expect(diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const refs = await client.connection.sendRequest<Location[]>('textDocument/references', {
      textDocument: { uri: libUri },
      position: { line: 0, character: 7 },
      context: { includeDeclaration: true },
    });
    expect(refs.map((r) => [r.uri === libUri ? 'lib' : r.uri === appUri ? 'app' : r.uri, r.range.start.line, r.range.start.character]).sort()).toEqual([
      ['app', 3, 6],
      ['app', 4, 7],
      ['lib', 0, 6],
    ]);
    const edit = await client.connection.sendRequest<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri: appUri },
      position: { line: 4, character: 8 },
      newName: 'Bar',
    });
    expect(Object.keys(edit.changes!).sort()).toEqual([appUri, libUri].sort());
    expect(edit.changes![appUri]!.map((e) => [e.range.start.line, e.range.start.character, e.newText]).sort()).toEqual([
      [3, 6, 'Bar'],
      [4, 7, 'Bar'],
    ]);
    expect(edit.changes![libUri]!.map((e) => [e.range.start.line, e.range.start.character, e.newText])).toEqual([[0, 6, 'Bar']]);
    // Renaming the block in lib.nas alone breaks app.nas; renaming it back mends it.
    const count = client.publishCount.get(appUri)!;
    client.change(libUri, lib.replace('Foo', 'Baz'));
    const broken = await client.waitForDiagnostics(appUri, (d) => d.some((x) => x.severity === 1), 20_000, count);
    expect(broken.filter((d) => d.severity === 1).map((d) => d.range.start.line)).toEqual([3, 4]);
    client.change(libUri, lib);
    await client.waitForDiagnostics(appUri, (d) => !d.some((x) => x.severity === 1), 20_000, client.publishCount.get(appUri)!);
  });

  it('formats to the canonical form, keeping comments', async () => {
    const messy =
      'import "std/blocks"\n# a comment\nnetwork   N(  C:int=8 ){\ninput( 3,8,8 )   # trailing\n\n\n  x=conv(C,k=3)->bn\n      /* block */\n  add( x ,x->relu )\n}';
    const { uri } = await openFixture('format.nas', messy);
    const edits = await client.connection.sendRequest<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 4, insertSpaces: true },
    });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(
      'import "std/blocks"\n# a comment\nnetwork N(C: int = 8) {\n  input(3, 8, 8)  # trailing\n\n  x = conv(C, k=3) -> bn\n  /* block */\n  add(x, x -> relu)\n}\n',
    );
    client.change(uri, edits[0]!.newText);
    await client.waitForDiagnostics(uri, () => true, 20_000, client.publishCount.get(uri)! - 1);
    const again = await client.connection.sendRequest<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(again).toEqual([]);
  });

  it('offers quick fixes: did you mean, 1x1 projection, remove a dead node', async () => {
    const { uri, diagnostics } = await openFixture(
      'fixes.nas',
      'network N {\n  input(3, 8, 8)\n  a = conv(16, k=3)\n  b = a -> conv(32, k=3)\n  c = add(a, b) -> bnn\n}\nnetwork M {\n  input(3, 8, 8)\n  a = conv(16, k=3)\n  dead = a -> relu\n  a -> bn\n}\n',
    );
    const byCode = new Map(diagnostics.map((d) => [String(d.code), d]));
    expect([...byCode.keys()].sort()).toEqual(['dead-node', 'shape-mismatch', 'unknown-name']);
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 12, character: 0 } },
      context: { diagnostics },
    });
    const edits = Object.fromEntries(actions.map((a) => [a.title, a.edit!.changes![uri]!]));
    expect(edits['Change to `bn`']).toEqual([{ range: byCode.get('unknown-name')!.range, newText: 'bn' }]);
    expect(edits['Project `b` to 16 channels with a 1x1 conv']).toEqual([
      { range: { start: { line: 4, character: 14 }, end: { line: 4, character: 14 } }, newText: ' -> conv(16, k=1)' },
    ]);
    expect(edits['Remove the dead node']).toEqual([{ range: { start: { line: 9, character: 0 }, end: { line: 10, character: 0 } }, newText: '' }]);
  });

  it('lists symbols, folding ranges, semantic tokens and code lenses', async () => {
    const { uri } = await openFixture('outline.nas', NET + '\nsearch Find {\n  space Net\n  strategy random\n  maximize accuracy\n}\n');
    const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['Net', 'Find']);
    const folds = await client.connection.sendRequest<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    expect(folds.some((f) => f.startLine === 3 && f.endLine >= 8)).toBe(true);
    const tokens = await client.connection.sendRequest<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(tokens.data.length).toBeGreaterThan(5 * 10);
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const commands = lenses.map((l) => l.command!.command).filter((c) => c);
    // Only lenses whose command runs: the graph view, the PyTorch export and the search; no fuse
    // lens (Net uses no training-time block, test/lsp/fuse.test.ts has one that does).
    expect(commands).toEqual(['nas.showGraph', 'nas.exportPytorch', 'nas.search']);
    expect(lenses.find((l) => l.command!.command === 'nas.showGraph')!.command!.arguments).toEqual([uri, 'Net']);
    expect(lenses.find((l) => l.command!.command === 'nas.search')!.command!.arguments).toEqual([uri, 'Find']);
    expect(lenses[0]!.command!.title).toMatch(/params · .* MACs/);
  });
});

describe('custom requests', () => {
  it('nas/graph returns the nodes and edges of a network', async () => {
    const { uri } = await openFixture('graph.nas', NET);
    const g = (await client.connection.sendRequest(GraphRequest.type, { uri, name: 'Net' }))!;
    expect(g.name).toBe('Net');
    expect(g.nodes[0]!.op).toBe('input');
    expect(g.nodes.find((n) => n.op === 'fc')!.shape).toEqual([10, 1, 1]);
    expect(g.edges.length).toBe(g.nodes.reduce((s, n) => s + n.inputs.length, 0));
    expect(g.output).toBe(g.nodes.length - 1);
    expect(g.nodes[1]!.range!.start.line).toBe(5);
    expect(await client.connection.sendRequest(GraphRequest.type, { uri, name: 'Nope' })).toBeNull();
  });

  it('nas/graph takes decisions for the choices of a space', async () => {
    const { uri } = await openFixture('graph-space.nas', 'space S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=1)\n}\n');
    const first = (await client.connection.sendRequest(GraphRequest.type, { uri }))!;
    expect(first.choices).toHaveLength(1);
    const second = (await client.connection.sendRequest(GraphRequest.type, { uri, decisions: { [first.choices[0]!.key]: 1 } }))!;
    expect(second.nodes[1]!.shape).toEqual([16, 8, 8]);
  });

  it('nas/costReport returns totals, per-statement costs and space figures', async () => {
    const { uri } = await openFixture('report.nas', NET + '\nspace S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=1)\n}\n');
    const r = await client.connection.sendRequest(CostReportRequest.type, { uri });
    expect(r.definitions.map((d) => d.name)).toEqual(['Net', 'S']);
    const net = r.definitions[0]!;
    expect(net.statements.map((s) => s.text)).toEqual([
      'input(3, 32, 32)',
      'x = conv(16, k=3) -> bn -> relu',
      'y = x -> BasicBlock(16)',
      'z = add(x, y)',
      'gap -> fc(classes)',
    ]);
    expect(net.statements.reduce((s, x) => s + x.macs, 0)).toBe(net.totals!.macs);
    expect(r.definitions[1]!.space).toMatchObject({ size: '2', exact: true, minMacs: 8 * 3 * 64, maxMacs: 16 * 3 * 64 });
  });
});

describe('unsaved editors (untitled:) that import files', () => {
  // A search trial's readable text (`network X = NB201 with {...}`) opened in a new editor
  // before it is saved: its import must resolve, else the editor shows errors and no graph.
  const space = 'space S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=1)\n}\n';
  const trial = (importPath: string) => `import ${JSON.stringify(importPath)}\n\nnetwork T = S with {\n  out: 16\n}\n`;

  it('an absolute import resolves from an Untitled-N editor; a relative one from an untitled editor opened at a path', async () => {
    fs.writeFileSync(path.join(dir, 'untitled-space.nas'), space);
    const absolute = trial(path.join(dir, 'untitled-space').split(path.sep).join('/'));
    const relative = trial('./untitled-space');
    for (const [uri, text] of [
      ['untitled:Untitled-7', absolute],
      [`untitled:${path.join(dir, 'trial-3.nas').split(path.sep).join('/')}`, relative],
    ] as const) {
      client.open(uri, text);
      const diagnostics = await client.waitForDiagnostics(uri, () => true, 20_000, 0);
      expect(diagnostics.map((d) => d.message)).toEqual([]);
      const g = (await client.connection.sendRequest(GraphRequest.type, { uri, name: 'T' }))!;
      expect(g.nodes.find((n) => n.op === 'conv')!.shape).toEqual([16, 8, 8]);
    }
  });
});
