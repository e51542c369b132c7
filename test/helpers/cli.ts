/** The bundled `nas` (bin/nas.cjs, built by `npm test` first) run in a child process, for the CLI tests. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/nas.cjs');

/**
 * Runs `nas args` in `cwd`. The timeout guards a test run against a hang; it bounds no speed
 * (a hung command ends with `code` null, which no test expects).
 */
export function nas(args: string[], cwd = ROOT, timeoutMs = 120_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder. */
export function tempFolder(prefix = 'nas-cli-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
