/**
 * Random protocol violations against the real server (test/helpers/protocol-fuzz.ts): after
 * each batch a normal document still gets its diagnostics and every request was answered.
 * `protocol-fuzz.slow.test.ts` sends hundreds.
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

describe('random protocol violations', () => {
  it('never wedge the server: three batches of 20 messages', async () => {
    for (const seed of [1, 2, 3]) await sendViolations(client, dir, 20, seed);
  });
});
