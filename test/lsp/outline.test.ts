/**
 * The Outline through the real client: definitions, named nodes (with their output shapes) and
 * cells; never parameters nor named arguments (`k=3`), which made a ResNet's outline a list of
 * `k | stride | k | stride`.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, tempDir } from './client.js';

let client: LspClient;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  client = await LspClient.start(dir);
});

afterAll(async () => {
  await client?.stop();
});

const SOURCE = `import "std/blocks"

let WIDTH = 16

cell Pair(C: int) {
  input s0, s1
  n0 = add(s0 -> conv(C, k=3, stride=1), s1)
  output n0
}

network Net(classes: int = 10, C: int = WIDTH) {
  input(3, 32, 32)
  stem = conv(C, k=3, stride=1, bias=false) -> bn -> relu
  for i in 0..1 {
    body = stem -> BasicBlock(C, stride=1)
  }
  conv(32, k=1, stride=2)
  gap -> fc(classes)
}

search Find {
  space Net
  strategy random
  maximize accuracy
}
`;

const KIND_NAME = new Map(Object.entries(SymbolKind).map(([name, value]) => [value as number, name]));

function flatten(symbols: readonly DocumentSymbol[], depth = 0): string[] {
  return symbols.flatMap((s) => [
    `${'  '.repeat(depth)}${s.name} ${KIND_NAME.get(s.kind)}${s.detail ? ` ${s.detail}` : ''}`,
    ...flatten(s.children ?? [], depth + 1),
  ]);
}

it('lists definitions, named nodes and cells, and nothing else', async () => {
  const uri = fileUri(path.join(dir, 'outline.nas'));
  await client.openMarked(uri, SOURCE);
  const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  expect(flatten(symbols)).toEqual([
    'WIDTH Constant 16',
    'Pair Struct cell(C: int)',
    '  n0 Variable',
    'Net Class network(classes: int = 10, C: int = WIDTH)',
    '  stem Variable 16×32×32',
    '  body Variable 16×32×32',
    'Find Event search',
  ]);
  // The name is what VS Code selects and reveals.
  const net = symbols.find((s) => s.name === 'Net')!;
  expect(net.selectionRange).toEqual({ start: { line: 10, character: 8 }, end: { line: 10, character: 11 } });
});
