/**
 * The language server never wedges (issue 20), through the real client: a notification that
 * breaks the protocol is contained to itself (the next normal document still gets its
 * diagnostics and requests are answered), a FIFO or a device is never read (as an import or in
 * the workspace folder), and a huge name or document ends in a bounded diagnostic.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, type LspClient } from './client.js';
import { serverPerFile } from '../helpers/lsp-suite.js';
import { MAX_SOURCE_BYTES } from '../../src/core/source-files.js';

let client: LspClient;
let dir: string;
const logs: string[] = [];
let serial = 0;

function fifo(file: string): void {
  expect(spawnSync('mkfifo', [file]).status).toBe(0);
}

serverPerFile(
  (c, d) => {
    client = c;
    dir = d;
    client.connection.onNotification('window/logMessage', (p: { message: string }) => void logs.push(p.message));
  },
  (d) => {
    // A FIFO in the workspace folder: the server scans the folder when it starts.
    fifo(path.join(d, 'scanned.nas'));
    fs.symlinkSync('/dev/zero', path.join(d, 'scanned-zero.nas'));
  },
);

/** A normal document, opened after the violation: it must get its diagnostics. */
async function normalDocumentIsChecked(): Promise<void> {
  const uri = fileUri(path.join(dir, `normal-${++serial}.nas`));
  client.open(uri, 'network N {\n  input(3, 8, 8)\n  rleu\n}\n');
  const d = await client.waitForDiagnostics(uri);
  expect(d.map((x) => [x.code, x.message])).toEqual([['unknown-name', 'unknown name `rleu`; did you mean `relu`?']]);
  // Requests are answered too.
  const symbols = await client.connection.sendRequest<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri } });
  expect(symbols.map((x) => x.name)).toEqual(['N']);
  expect(client.exited).toBeUndefined();
}

describe('protocol violations are contained', () => {
  it('the server started although its workspace folder holds a FIFO and a link to /dev/zero', async () => {
    await normalDocumentIsChecked();
  });

  it('a didOpen whose text is not a string is logged and ignored', async () => {
    for (const text of [42, null, { value: 'x' }, ['network']]) {
      const uri = fileUri(path.join(dir, `bad-open-${++serial}.nas`));
      void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nas', version: 1, text } });
      await normalDocumentIsChecked();
    }
    expect(logs.filter((l) => l.startsWith('ignored textDocument/didOpen: textDocument.text is not a string'))).toHaveLength(4);
  });

  it('didOpen without a document, didChange with a non-string text or a malformed range, didClose without a URI', async () => {
    const uri = fileUri(path.join(dir, 'changed.nas'));
    client.open(uri, 'network N {\n  input(3, 8, 8)\n  relu\n}\n');
    await client.waitForDiagnostics(uri);
    const violations: Array<[string, unknown]> = [
      ['textDocument/didOpen', {}],
      ['textDocument/didOpen', { textDocument: { uri: 7, languageId: 'nas', version: 1, text: '' } }],
      ['textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text: 17 }] }],
      ['textDocument/didChange', { textDocument: { uri, version: 6 }, contentChanges: [{ range: { start: { line: -1 } }, text: 'x' }] }],
      ['textDocument/didChange', { textDocument: { uri, version: 7 }, contentChanges: 'all' }],
      ['textDocument/didChange', { textDocument: { uri }, contentChanges: [{ text: 'x' }] }],
      ['textDocument/didClose', { textDocument: {} }],
    ];
    for (const [method, params] of violations) {
      void client.connection.sendNotification(method, params);
      await normalDocumentIsChecked();
    }
    // The document the violations named is as it was: a valid edit still applies to it.
    const n = client.publishCount.get(uri)!;
    client.edit(uri, 2, 2, 4, 'rleu');
    const after = await client.waitForDiagnostics(uri, () => true, 20_000, n);
    expect(after.map((d) => d.code)).toEqual(['unknown-name']);
    expect(logs.filter((l) => l.startsWith('ignored textDocument/'))).toHaveLength(4 + violations.length);
  });
});

describe('special files are never read', () => {
  it('an import of a FIFO or of a link to /dev/zero is an error at the import; the server keeps serving', async () => {
    fifo(path.join(dir, 'pipe.nas'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.nas'));
    const uri = fileUri(path.join(dir, 'imports-special.nas'));
    client.open(uri, 'import "pipe"\nimport "zero"\nnetwork N {\n  input(3, 8, 8)\n  relu\n}\n');
    const d = await client.waitForDiagnostics(uri);
    expect(d.map((x) => [x.code, x.range.start.line, x.message])).toEqual([
      ['import-unreadable', 0, `cannot import "pipe": ${dir}/pipe.nas is a FIFO (named pipe), not a regular file; only regular files are read`],
      ['import-unreadable', 1, `cannot import "zero": ${dir}/zero.nas is a character device, not a regular file; only regular files are read`],
    ]);
    await normalDocumentIsChecked();
  });
});

describe('huge input ends in a bounded diagnostic', () => {
  it('a 100,000-character unknown name: no suggestion, not echoed whole', async () => {
    const uri = fileUri(path.join(dir, 'long-name.nas'));
    const name = 'b'.repeat(100_000);
    client.open(uri, `network N {\n  input(3, 8, 8)\n  ${name}\n}\n`);
    const d: Diagnostic[] = await client.waitForDiagnostics(uri);
    expect(d.map((x) => x.message)).toEqual([`unknown name \`${'b'.repeat(64)}… (100,000 characters)\``]);
    // Every edit re-checks it: still bounded.
    const n = client.publishCount.get(uri)!;
    client.edit(uri, 2, 2, 1, 'c');
    const again = await client.waitForDiagnostics(uri, () => true, 20_000, n);
    expect(again[0]!.message.length).toBeLessThan(120);
  });

  it(`a document over ${MAX_SOURCE_BYTES} bytes is one too-large diagnostic, not a parse`, async () => {
    const uri = fileUri(path.join(dir, 'huge.nas'));
    const text = `network N {\n  input(3, 8, 8)\n${'  relu\n'.repeat(200_000)}}\n`;
    client.open(uri, text);
    const d = await client.waitForDiagnostics(uri);
    expect(d.map((x) => [x.code, x.range.start, x.message])).toEqual([
      [
        'too-large',
        { line: 0, character: 0 },
        `the file is ${text.length.toLocaleString('en-US')} characters, more than the ${MAX_SOURCE_BYTES.toLocaleString('en-US')} a source file may have: it is not checked`,
      ],
    ]);
    await normalDocumentIsChecked();
  });
});
