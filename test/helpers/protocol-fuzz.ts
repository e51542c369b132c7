/**
 * Protocol violations as a generator (issue 20): text-document notifications and editor
 * requests whose params are random JSON, or the right shape with a wrong field (a text that is
 * not a string, a range with negative or missing positions, a version that is not a number).
 * After each batch the server must still check a normal document and answer its requests, and
 * every random request must be answered, with a result or an error. `test/lsp/protocol-fuzz.test.ts`
 * sends a few dozen, `protocol-fuzz.slow.test.ts` hundreds.
 */
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileUri, type LspClient } from '../lsp/client.js';
import { serverPerFile } from './lsp-suite.js';

const NOTIFICATIONS = [
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/didClose',
  'textDocument/didSave',
  'textDocument/willSave',
  'workspace/didChangeWatchedFiles',
  'workspace/didChangeConfiguration',
  '$/cancelRequest',
] as const;

const REQUESTS = [
  'textDocument/hover',
  'textDocument/completion',
  'textDocument/documentSymbol',
  'textDocument/inlayHint',
  'textDocument/codeLens',
  'textDocument/formatting',
  'textDocument/semanticTokens/full',
  'textDocument/definition',
  'textDocument/signatureHelp',
  'nas/costReport',
] as const;

/** Messages about documents of this folder, random or almost right (mostly the latter). */
function message(dir: string): fc.Arbitrary<{ method: string; request: boolean; params: unknown }> {
  // Many documents, so that a later message rarely repairs what an earlier one broke.
  const uri = fc.oneof(
    { arbitrary: fc.nat(10_000).map((n) => fileUri(path.join(dir, `fuzzed-${n}.nas`))), weight: 4 },
    { arbitrary: fc.constantFrom('untitled:x', 'file:///', ''), weight: 1 },
  );
  const notString = fc.oneof(
    fc.integer(),
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    fc.object(),
  );
  const wrong = fc.oneof(fc.jsonValue(), notString);
  const text = fc.oneof({ arbitrary: fc.string({ maxLength: 40 }), weight: 1 }, { arbitrary: notString, weight: 2 });
  const version = fc.oneof({ arbitrary: fc.nat(), weight: 3 }, { arbitrary: wrong, weight: 1 });
  const position = fc.oneof(fc.record({ line: fc.integer({ min: -3, max: 5 }), character: fc.integer({ min: -3, max: 50 }) }), wrong);
  const textDocument = fc.oneof(
    { arbitrary: fc.record({ uri, languageId: fc.constantFrom('nas', 'x'), version, text }), weight: 4 },
    { arbitrary: fc.record({ uri: fc.oneof(uri, wrong) }), weight: 1 },
    { arbitrary: wrong, weight: 1 },
  );
  const change = fc.oneof(fc.record({ text }), fc.record({ range: fc.oneof(fc.record({ start: position, end: position }), wrong), text }), wrong);
  const params = fc.oneof(
    { arbitrary: fc.record({ textDocument, contentChanges: fc.oneof(fc.array(change, { maxLength: 3 }), wrong) }), weight: 4 },
    { arbitrary: fc.record({ textDocument, position, range: fc.record({ start: position, end: position }), options: wrong }), weight: 2 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  );
  const notification = fc.oneof(
    { arbitrary: fc.constantFrom('textDocument/didOpen', 'textDocument/didChange'), weight: 4 },
    { arbitrary: fc.constantFrom(...NOTIFICATIONS), weight: 2 },
  );
  return fc.oneof(
    { arbitrary: fc.record({ method: notification, request: fc.constant(false), params }), weight: 3 },
    { arbitrary: fc.record({ method: fc.constantFrom(...REQUESTS), request: fc.constant(true), params }), weight: 1 },
  );
}

let serial = 0;

/** Sends `count` random messages, then checks that a normal document is checked and served. */
async function sendViolations(client: LspClient, dir: string, count: number, seed: number): Promise<void> {
  const messages = fc.sample(message(dir), { numRuns: count, seed });
  const answers: Array<Promise<unknown>> = [];
  for (const m of messages) {
    if (m.request) answers.push(client.connection.sendRequest(m.method, m.params));
    else void client.connection.sendNotification(m.method, m.params);
  }
  // Every request is answered: a result or an error response, never silence.
  const settled = await Promise.allSettled(answers);
  expect(settled).toHaveLength(answers.length);
  const uri = fileUri(path.join(dir, `normal-${++serial}.nas`));
  client.open(uri, 'network N {\n  input(3, 8, 8)\n  rleu\n}\n');
  const d = await client.waitForDiagnostics(uri);
  expect(d.map((x) => x.code)).toEqual(['unknown-name']);
  const symbols = await client.connection.sendRequest<Array<{ name: string }>>('textDocument/documentSymbol', { textDocument: { uri } });
  expect(symbols.map((s) => s.name)).toEqual(['N']);
  expect(client.exited).toBeUndefined();
}

/** A suite against one server: `batches` batches of `size` random messages (seeds 1, 2, ...). */
export function protocolFuzzSuite(title: string, batches: number, size: number): void {
  describe(title, () => {
    let client: LspClient;
    let dir: string;
    serverPerFile((c, d) => {
      client = c;
      dir = d;
    });
    it(`never wedge the server: ${batches} batches of ${size} messages, each followed by a normal document`, async () => {
      for (let seed = 1; seed <= batches; seed++) await sendViolations(client, dir, size, seed);
    });
  });
}
