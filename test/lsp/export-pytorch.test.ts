/**
 * nas/exportPytorch through a real LSP client and the bundled server: the code it returns is
 * the PyTorch file `nas export --to pytorch` writes, and Debian's PyTorch (/usr/bin/python3)
 * builds it with the cost model's parameter count (nas/costReport's); a space's architecture
 * follows the decisions given; what cannot be exported says why.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostReportRequest, ExportPytorchRequest, NasCommands } from '../../src/protocol/lsp-extensions.js';
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

async function open(name: string, text: string): Promise<string> {
  const uri = fileUri(path.join(dir, name));
  const before = client.publishCount.get(uri) ?? 0;
  client.open(uri, text);
  await client.waitForDiagnostics(uri, () => true, 20_000, before);
  return uri;
}

/** The parameter count of the file's Model, as PyTorch counts it. */
function torchParams(code: string): number {
  const r = spawnSync('/usr/bin/python3', ['-c', `${code}\nprint(sum(p.numel() for p in Model().parameters()))`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim().split('\n').pop());
}

const NET = `import "std/blocks"

network Net(classes: int = 10) {
  input(3, 32, 32)
  conv(16, k=3) -> bn -> relu
  BasicBlock(16) -> BasicBlock(32, stride=2)
  gap -> fc(classes)
}
`;

describe('nas/exportPytorch', () => {
  it('returns the PyTorch file of a network; PyTorch builds it with the cost model parameter count', async () => {
    const uri = await open('net.nas', NET);
    const r = await client.connection.sendRequest(ExportPytorchRequest.type, { uri, name: 'Net' });
    expect(r.error).toBeUndefined();
    expect(r.name).toBe('Net');
    expect(r.className).toBe('Net');
    expect(r.code).toMatch(/^class Net\(nn\.Module\):/m);
    expect(r.code).toMatch(/def load_nas_safetensors/);
    const cost = await client.connection.sendRequest(CostReportRequest.type, { uri, name: 'Net' });
    expect(r.params).toBe(cost.definitions[0]!.totals!.params);
    expect(torchParams(r.code!)).toBe(cost.definitions[0]!.totals!.params);
  });

  it('exports the architecture of a space its decisions pick, with its encoding', async () => {
    const uri = await open('space.nas', 'space S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=1) -> gap -> fc(10)\n}\n');
    const first = await client.connection.sendRequest(ExportPytorchRequest.type, { uri });
    expect(first.arch).toMatch(/=0$/);
    const key = first.arch!.split('=')[0]!;
    const second = await client.connection.sendRequest(ExportPytorchRequest.type, { uri, decisions: { [key]: 1 } });
    expect(second.arch).toBe(`${key}=1`);
    expect(torchParams(first.code!)).toBe(3 * 8 + 8 * 10 + 10);
    expect(torchParams(second.code!)).toBe(3 * 16 + 16 * 10 + 10);
  });

  it('says why when there is nothing to export', async () => {
    const uri = await open('bad.nas', 'network Bad {\n  input(3, 8, 8)\n  conv(8, k=1) -> nosuchop\n}\n');
    const bad = await client.connection.sendRequest(ExportPytorchRequest.type, { uri });
    expect(bad.code).toBeUndefined();
    expect(bad.error).toMatch(/the file has errors \(line 3/);
    const net = await open('net2.nas', NET);
    const missing = await client.connection.sendRequest(ExportPytorchRequest.type, { uri: net, name: 'Nope' });
    expect(missing.error).toBe('the file has no network or space Nope');
  });

  it('a network has an Export to PyTorch code lens', async () => {
    const uri = await open('lens.nas', NET);
    const lenses = await client.connection.sendRequest<{ command?: { title: string; command: string; arguments?: unknown[] } }[]>('textDocument/codeLens', {
      textDocument: { uri },
    });
    const lens = lenses.find((l) => l.command?.command === NasCommands.exportPytorch);
    expect(lens?.command?.title).toBe('Export to PyTorch');
    expect(lens?.command?.arguments).toEqual([uri, 'Net']);
  });
});
