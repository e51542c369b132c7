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

/** Writes `text` to `target` (a link is followed: the file it names is replaced, the link kept). */
export function writeWhole(target: string, text: string): void {
  checkRegularTarget(target);
  let real = target;
  let mode: number | undefined;
  try {
    real = fs.realpathSync(target);
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
