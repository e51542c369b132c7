/**
 * Data files are read only when they are regular files: a directory where a batch file is
 * expected failed with Node's raw EISDIR, and a FIFO or a device (`/dev/zero`) would block the
 * reader or never end. The check names the file and what it is instead.
 */
import { statSync, type Stats } from 'node:fs';
import { DatasetError } from './errors';

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Throws DatasetError('missing') unless `file` is a regular file (symbolic links followed). */
export function requireRegularFile(file: string, what: string): Stats {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw new DatasetError('missing', `${what} not found`, { file, cause: e });
  }
  if (!st.isFile()) throw new DatasetError('missing', `${what} is ${kindOf(st)}, not a file`, { file });
  return st;
}
