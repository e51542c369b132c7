/**
 * Fusing for deployment through the language server (a real client connection to the bundled
 * server): `nas/fuseSource` (src/protocol/fuse.ts) gives the deployment form and the figures
 * `nas fuse` gives; the code lens shows only on networks with training-time blocks that
 * elaborate; a training-time block offers the command and an in-place edit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nasInProcess } from '../helpers/cli.js';
import type { CodeAction, CodeLens } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, parseCursors, tempDir } from './client.js';
import { FuseSourceRequest, type FuseSourceResult } from '../../src/protocol/fuse.js';
import type { FuseJson } from '../../src/cli/json-types.js';

const ROOT = path.resolve(__dirname, '../..');
let client: LspClient;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  client = await LspClient.start(dir);
});

afterAll(async () => {
  await client?.stop();
});

async function open(name: string, marked: string) {
  const { text, cursors } = parseCursors(marked);
  const uri = fileUri(path.join(dir, name));
  const before = client.publishCount.get(uri) ?? 0;
  client.open(uri, text);
  await client.waitForDiagnostics(uri, () => true, 20_000, before);
  return { uri, text, cursors };
}

const MIXED = `import "std/blocks"

block Stage(C: int) {
  <|>RepVGGBlock(C, stride=2) -> RepVGGBlock(C)
}

network Plain {
  input(3, 16, 16)
  conv(8, k=3) -> bn -> relu
  gap -> fc(10)
}

network Rep {
  input(3, 32, 32)
  Stage(16) -> AC<|>Block(16) -> relu
  gap -> fc(10)
}
`;

describe('NAS: Fuse for Deployment through the language server', () => {
  it('nas/fuseSource: the deployment text and the figures nas fuse reports', async () => {
    const a0 = fs.readFileSync(path.join(ROOT, 'examples/repvgg_a0.nas'), 'utf8');
    const { uri } = await open('a0.nas', a0);
    const r = (await client.connection.sendRequest(FuseSourceRequest.type, { uri })) as Extract<FuseSourceResult, { ok: true }>;
    expect(r.ok).toBe(true);
    expect(r.name).toBe('RepVGGA0');
    expect(r.target).toBe(fileUri(path.join(dir, 'a0.deploy.nas')));
    // The published figures (the CLI test checks them against the paper) ...
    expect(r.before).toEqual({ params: 9_108_968, macs: 1_512_581_120 });
    expect(r.after).toEqual({ params: 8_309_384, macs: 1_361_451_008 });
    expect(r.renamed).toEqual([{ from: 'RepVGGBlock', to: 'RepVGGDeploy', uses: 8 }]);
    // The graph view's pairs: RepVGG-A0 has 22 blocks in five stages of 1, 2, 4, 14 and 1
    // (Ding et al. 2021, Table 2), widths 48, 48, 96, 192, 1280; each distinct call once.
    const { blocks, train, deploy } = r.pairs;
    expect(blocks.reduce((n, b) => n + b.instances, 0)).toBe(22);
    const group = (g: typeof train, id: number) => g.groups!.find((x) => x.id === id)!;
    for (const b of blocks) {
      expect(b.deployTitle).toBe(b.title.replace('RepVGGBlock', 'RepVGGDeploy'));
      expect(group(train, b.train).name).toBe('RepVGGBlock');
      expect(group(deploy, b.deploy).name).toBe('RepVGGDeploy');
    }
    expect(blocks.map((b) => [b.title, b.instances])).toEqual([
      ['RepVGGBlock(48, stride=2)', 2],
      ['RepVGGBlock(48)', 1],
      ['RepVGGBlock(96, stride=2)', 1],
      ['RepVGGBlock(96)', 3],
      ['RepVGGBlock(192, stride=2)', 1],
      ['RepVGGBlock(192)', 13],
      ['RepVGGBlock(1280, stride=2)', 1],
    ]);
    // ... and the same text as nas fuse writes.
    const file = path.join(dir, 'a0.nas');
    fs.writeFileSync(file, a0);
    const out = path.join(dir, 'cli.deploy.nas');
    const cli = await nasInProcess(['fuse', file, '--out', out, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(r.text).toBe(fs.readFileSync(out, 'utf8'));
    expect({ before: r.before, after: r.after }).toEqual({
      before: (JSON.parse(cli.stdout) as FuseJson).before,
      after: (JSON.parse(cli.stdout) as FuseJson).after,
    });
  });

  it('says why there is nothing to fuse', async () => {
    const { uri } = await open('mixed.nas', MIXED);
    const plain = await client.connection.sendRequest(FuseSourceRequest.type, { uri, name: 'Plain' });
    expect(plain).toEqual({ ok: false, message: 'network Plain uses no training-time block (RepVGGBlock, ACBlock, DBBlock, MobileOneBlock): nothing to fuse' });
    const broken = await open('broken.nas', 'import "std/blocks"\nnetwork B {\n  input(3, 8, 8)\n  RepVGGBlock(8) -> rleu\n}\n');
    expect(await client.connection.sendRequest(FuseSourceRequest.type, { uri: broken.uri })).toEqual({
      ok: false,
      message: 'the file has errors: fix them first (see Problems)',
    });
  });

  it('shows the fuse lens only on networks with training-time blocks', async () => {
    const { uri } = await open('lens.nas', MIXED);
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const fuse = lenses.filter((l) => l.command?.command === 'nas.fuse');
    expect(fuse.map((l) => l.command!.arguments)).toEqual([[uri, 'Rep']]);
    expect(fuse[0]!.range.start.line).toBe(12);
  });

  it('offers, on a training-time block, the command and an in-place edit for the network that uses it', async () => {
    const { uri, cursors } = await open('actions.nas', MIXED);
    const actionsAt = (i: number) =>
      client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: cursors[i]!, end: cursors[i]! },
        context: { diagnostics: [] },
      });
    for (const i of [0, 1]) {
      const actions = await actionsAt(i);
      expect(actions.map((a) => a.title)).toEqual([
        'Fuse Rep for deployment: write actions.deploy.nas',
        'Fuse Rep in place (RepVGGBlock ×2, ACBlock ×1 → deployment blocks; fuse trained weights with nas fuse --weights)',
      ]);
      expect(actions[0]!.command).toEqual({ title: actions[0]!.title, command: 'nas.fuse', arguments: [uri, 'Rep'] });
      const edits = actions[1]!.edit!.changes![uri]!;
      expect(edits.map((e) => e.newText)).toEqual(['RepVGGDeploy', 'RepVGGDeploy', 'ACDeploy']);
    }
    // Elsewhere (a plain conv): none.
    const none = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 8, character: 3 }, end: { line: 8, character: 3 } },
      context: { diagnostics: [] },
    });
    expect(none).toEqual([]);
  });
});
