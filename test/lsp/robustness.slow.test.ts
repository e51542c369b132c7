/**
 * The language server's memory stays bounded over many edits of a 600-line file, through the
 * real client: forty full checks, so a slow test (robustness.test.ts has the rest of the bad
 * input).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileUri, type LspClient } from './client.js';
import { serverPerFile } from '../helpers/lsp-suite.js';

let client: LspClient;
let dir: string;

serverPerFile((c, d) => {
  client = c;
  dir = d;
});

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

describe('bad input', () => {
  it('keeps its memory bounded over many edits', async () => {
    const uri = fileUri(path.join(dir, 'memory.nas'));
    const big = (i: number) =>
      `network N {\n  input(3, 64, 64)\n${Array.from({ length: 600 }, (_, j) => `  conv(${8 + ((i + j) % 8)}, k=3) -> bn -> relu  # line ${j}`).join('\n')}\n}\n`;
    client.open(uri, big(0));
    await client.waitForDiagnostics(uri);
    const edits = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const n = client.publishCount.get(uri)!;
        client.change(uri, big(i));
        await client.waitForDiagnostics(uri, () => true, 30_000, n);
        await client.connection.sendRequest('textDocument/inlayHint', {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: { line: 605, character: 0 } },
        });
      }
    };
    await edits(1, 10);
    const warm = rssMiB(client.process.pid!);
    await edits(10, 40);
    const after = rssMiB(client.process.pid!);
    expect(after).toBeLessThan(1024);
    // Thirty more versions of the file must not pile up: allow GC slack, not growth per edit.
    expect(after - warm).toBeLessThan(150);
  });
});
