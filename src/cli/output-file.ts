/**
 * Files a command writes for the user (`nas export --out`): checked before any work (never
 * the input, never a folder, never an existing file without --force, a writable folder) and
 * written whole or not at all (a temporary file beside it, renamed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './load.js';

/** The absolute path to write, or a UsageError saying why not. */
export function checkOutputPath(input: string, out: string, force: boolean): string {
  const target = path.resolve(out);
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(target);
  } catch {
    existing = undefined;
  }
  if (out.endsWith('/') || out.endsWith(path.sep) || existing?.isDirectory()) throw new UsageError(`--out ${out} is a folder, expected a file`);
  if (existing) {
    let same = false;
    try {
      same = fs.realpathSync(target) === fs.realpathSync(input);
    } catch {
      same = false; // the input does not exist: loading it reports that
    }
    if (same) throw new UsageError(`--out ${out} is the input file: refusing to overwrite it`);
    if (!existing.isFile()) throw new UsageError(`--out ${out} exists and is not a regular file`);
    if (!force) throw new UsageError(`--out ${out} exists: refusing to overwrite it (pass --force to replace it)`);
  }
  try {
    fs.accessSync(path.dirname(target), fs.constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${out}: ${path.dirname(out)} is not a writable folder`);
  }
  return target;
}

/** Writes a temporary file beside `target` and renames it: a crash leaves the old file or the new one. */
export function writeWhole(target: string, content: string | Uint8Array): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${target}: ${(e as Error).message}`);
  }
}
