/**
 * Untitled documents through the real client (issue 20). An untitled document has no file
 * extension, so the server knows it as NAS only while it is open with the language id `nas`.
 * Closing one, or reopening it under another language id, used to leave it in the workspace
 * without a language, and every later build failed on it: no document got diagnostics again
 * (found by the slow protocol fuzz: batch 4 opens `untitled:x`, batch 33 reopens it as `x`,
 * batch 44 opens and closes it).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileUri, type LspClient } from './client.js';
import { serverPerFile } from '../helpers/lsp-suite.js';

let client: LspClient;
let dir: string;
let serial = 0;

serverPerFile((c, d) => {
  client = c;
  dir = d;
});

const BROKEN = 'network N {\n  input(3, 8, 8)\n  rleu\n}\n';

/** A normal file, opened after the untitled document changed: it must get its diagnostics. */
async function normalDocumentIsChecked(): Promise<void> {
  const uri = fileUri(path.join(dir, `normal-${++serial}.nas`));
  client.open(uri, BROKEN);
  const d = await client.waitForDiagnostics(uri);
  expect(d.map((x) => x.code)).toEqual(['unknown-name']);
  const symbols = await client.connection.sendRequest<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri } });
  expect(symbols.map((x) => x.name)).toEqual(['N']);
}

/** Opens an untitled NAS document and waits until it is checked (its references linked). */
async function openUntitled(uri: string): Promise<void> {
  const before = client.publishCount.get(uri) ?? 0;
  client.open(uri, BROKEN);
  const d = await client.waitForDiagnostics(uri, () => true, 20_000, before);
  expect(d.map((x) => x.code)).toEqual(['unknown-name']);
}

/** Waits for the diagnostics of `uri` to be cleared after the `before`-th publication. */
async function cleared(uri: string, before: number): Promise<void> {
  const d = await client.waitForDiagnostics(uri, (x) => x.length === 0, 20_000, before);
  expect(d).toEqual([]);
}

describe('untitled documents', () => {
  it('closing an untitled NAS document takes it out of the workspace and clears its diagnostics', async () => {
    const uri = 'untitled:Untitled-1';
    await openUntitled(uri);
    const before = client.publishCount.get(uri) ?? 0;
    void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await cleared(uri, before);
    await normalDocumentIsChecked();
    // Opened again, it is checked again.
    await openUntitled(uri);
  });

  it('reopening an untitled document under another language id takes it out of the workspace', async () => {
    const uri = 'untitled:x';
    await openUntitled(uri);
    const before = client.publishCount.get(uri) ?? 0;
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'x', version: 2, text: 'Y' } });
    await cleared(uri, before);
    await normalDocumentIsChecked();
  });

  it('an untitled document first opened under another language id is never checked', async () => {
    const uri = 'untitled:Untitled-2';
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'plaintext', version: 1, text: 'rleu' } });
    await normalDocumentIsChecked();
    // At most an empty publication (its diagnostics cleared), never a check.
    expect(client.diagnostics.get(uri) ?? []).toEqual([]);
  });
});
