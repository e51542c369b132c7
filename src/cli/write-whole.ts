/**
 * Writing a file whole or not at all: a temporary file beside the target, renamed over it, so
 * that a crash leaves the old file or the new one and never half of either. Only a regular
 * file is replaced: renaming over `/dev/full` or a FIFO would replace the device or the pipe
 * with a file (as `nas train --save /dev/full` once did).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './load.js';

/** Refuses a target that exists and is not a regular file (a link is judged by what it names). */
export function checkRegularTarget(target: string, shown = target): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return; // does not exist (yet)
  }
  if (st.isDirectory()) throw new UsageError(`${shown} is a directory, expected a file`);
  if (!st.isFile()) throw new UsageError(`${shown} exists and is not a regular file (a device, FIFO or socket): refusing to replace it`);
}

/**
 * Refuses, before any work, an output that could not be written: one that exists and is not a
 * regular file, a path ending in a separator, a missing or unwritable folder.
 */
export function checkOutputTarget(target: string, shown = target): void {
  if (/[/\\]$/.test(target)) throw new UsageError(`${shown} names a folder, expected a file`);
  checkRegularTarget(target, shown);
  const dir = path.dirname(path.resolve(target));
  try {
    if (!fs.statSync(dir).isDirectory()) throw new UsageError(`cannot write ${shown}: ${path.dirname(target)} is not a folder`);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(`cannot write ${shown}: the folder ${path.dirname(target)} ${missing ? 'does not exist' : 'is not writable'}`);
  }
}

/** Writes `text` to `target` (a link is followed: the file it names is replaced, the link kept). */
export function writeWhole(target: string, text: string | Uint8Array): void {
  checkRegularTarget(target);
  const real = linkTarget(target);
  let mode: number | undefined;
  try {
    mode = fs.statSync(real).mode & 0o7777;
  } catch {
    // a new file
  }
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx', mode: mode ?? 0o666 });
    fs.renameSync(tmp, real);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${target}: ${(e as Error).message}`);
  }
}

/** The file a chain of links ends in, whether or not it exists yet (a link to a new file is kept). */
function linkTarget(target: string): string {
  let real = path.resolve(target);
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!fs.lstatSync(real).isSymbolicLink()) break;
      link = fs.readlinkSync(real);
    } catch {
      break; // nothing there: a new file
    }
    real = path.resolve(path.dirname(real), link);
  }
  return real;
}
