/** One language server per test file: started on a fresh workspace folder before its tests, stopped after. */
import { afterAll, beforeAll } from 'vitest';
import { LspClient, tempDir } from '../lsp/client.js';

/**
 * Registers the hooks; `started` receives the client and the folder. `prepare` fills the folder
 * before the server starts (the server scans it then).
 */
export function serverPerFile(started: (client: LspClient, dir: string) => void, prepare: (dir: string) => void = () => undefined): void {
  let client: LspClient | undefined;
  beforeAll(async () => {
    const dir = tempDir();
    prepare(dir);
    client = await LspClient.start(dir);
    started(client, dir);
  });
  afterAll(async () => {
    await client?.stop();
  });
}
