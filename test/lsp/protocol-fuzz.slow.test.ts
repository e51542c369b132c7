/**
 * The long run of test/lsp/protocol-fuzz.test.ts: forty batches of 25 random messages against
 * one server, each followed by a normal document that must be checked and served.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LspClient, tempDir } from './client.js';
import { sendViolations } from '../helpers/protocol-fuzz.js';

let client: LspClient;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  client = await LspClient.start(dir);
});

afterAll(async () => {
  await client?.stop();
});

describe('random protocol violations (long run)', () => {
  it('never wedge the server: forty batches of 25 messages', async () => {
    for (let seed = 1; seed <= 40; seed++) await sendViolations(client, dir, 25, seed);
  });
});
