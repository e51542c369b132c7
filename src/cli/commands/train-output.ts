/**
 * `nas train --save FILE` checked before any training, so that a run of hours does not end
 * in a file it cannot write: FILE may be a new file in an existing, writable folder, or an
 * existing regular file (rewritten after every epoch). A folder, a path ending in a
 * separator, something that is not a regular file or a missing folder is a usage error.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

/** Undefined if `file` can be written as a checkpoint, else why not. */
export function checkOutputFile(file: string): string | undefined {
  if (file.endsWith(sep) || file.endsWith('/')) return `${file} names a folder; give a file name, e.g. ${file.replace(/[/\\]+$/, '')}/model.safetensors`;
  const full = resolve(file);
  let st;
  try {
    st = statSync(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot use ${file}: ${(e as Error).message}`;
  }
  if (st?.isDirectory()) return `${file} is a folder; give a file name, e.g. ${file}/model.safetensors`;
  if (st && !st.isFile()) return `${file} exists and is not a regular file`;
  const dir = dirname(full);
  let dst;
  try {
    dst = statSync(dir);
  } catch {
    return `the folder of ${file} (${dir}) does not exist`;
  }
  if (!dst.isDirectory()) return `${dir} is not a folder`;
  try {
    accessSync(dir, constants.W_OK);
    if (st) accessSync(full, constants.W_OK);
  } catch {
    return `cannot write ${file}: permission denied`;
  }
  return undefined;
}
