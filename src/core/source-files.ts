/**
 * Reading `.nas` source files from disk within limits, for the CLI, imports and the language
 * server. Only regular files are read: a FIFO would block the reader for good, `/dev/zero`
 * never ends, and a symbolic link may lead to either. The file is opened without blocking,
 * checked on the open descriptor (not on its path, which may change in between) and read no
 * further than MAX_SOURCE_BYTES.
 */
import * as fs from 'node:fs';
import { NodeFileSystemProvider } from 'langium/node';
import type { URI } from 'langium';
import { MAX_SOURCE_BYTES } from './language/syntax/source-limit.js';

export { MAX_SOURCE_BYTES };

/** A file that is not read, with a sentence that says why. */
export class SourceFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    /** True when the file does not exist (a missing import reads differently). */
    readonly missing = false,
  ) {
    super(`${path}: ${reason}`);
  }
}

// O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errnoReason(path: string, e: unknown): SourceFileError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new SourceFileError(path, 'no such file', true);
  if (code === 'ENOTDIR') return new SourceFileError(path, 'no such file (a part of the path is not a directory)', true);
  if (code === 'EACCES' || code === 'EPERM') return new SourceFileError(path, 'permission denied');
  if (code === 'EISDIR') return new SourceFileError(path, 'is a directory, expected a .nas file');
  if (code === 'ELOOP') return new SourceFileError(path, 'too many levels of symbolic links');
  return new SourceFileError(path, `cannot be read (${code ?? (e as Error).message})`);
}

function checkStat(path: string, stat: fs.Stats, limit: number): void {
  if (stat.isDirectory()) throw new SourceFileError(path, 'is a directory, expected a .nas file');
  if (!stat.isFile()) throw new SourceFileError(path, `is ${kindOf(stat)}, not a regular file; only regular files are read`);
  if (stat.size > limit)
    throw new SourceFileError(path, `is ${stat.size.toLocaleString('en-US')} bytes, more than the ${limit.toLocaleString('en-US')} a source file may have`);
}

/**
 * Reads into a buffer of the size the file had when checked, plus one byte to notice growth;
 * a file that grew since is read on, to one byte over the limit.
 */
class Reading {
  buffer: Buffer;
  length = 0;

  constructor(
    readonly path: string,
    stat: fs.Stats,
    readonly limit: number,
  ) {
    this.buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
  }

  /** Counts `n` bytes read; false when reading is over. */
  add(n: number): boolean {
    this.length += n;
    if (n === 0 || this.length > this.limit) return false;
    if (this.length === this.buffer.length) {
      const larger = Buffer.alloc(this.limit + 1);
      this.buffer.copy(larger);
      this.buffer = larger;
    }
    return true;
  }

  text(): string {
    const { path, limit } = this;
    if (this.length > limit) throw new SourceFileError(path, `is more than the ${limit.toLocaleString('en-US')} bytes a source file may have`);
    return this.buffer.subarray(0, this.length).toString('utf8');
  }
}

/** The text of a regular file of at most `limit` bytes; throws SourceFileError otherwise. */
export function readSourceFileSync(path: string, limit = MAX_SOURCE_BYTES): string {
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw errnoReason(path, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    checkStat(path, stat, limit);
    const r = new Reading(path, stat, limit);
    while (r.add(fs.readSync(fd, r.buffer, r.length, r.buffer.length - r.length, null)));
    return r.text();
  } catch (e) {
    throw e instanceof SourceFileError ? e : errnoReason(path, e);
  } finally {
    fs.closeSync(fd);
  }
}

/** `readSourceFileSync` without blocking the thread. */
export async function readSourceFile(path: string, limit = MAX_SOURCE_BYTES): Promise<string> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, OPEN_FLAGS);
  } catch (e) {
    throw errnoReason(path, e);
  }
  try {
    const stat = await handle.stat();
    checkStat(path, stat, limit);
    const r = new Reading(path, stat, limit);
    while (r.add((await handle.read(r.buffer, r.length, r.buffer.length - r.length, null)).bytesRead));
    return r.text();
  } catch (e) {
    throw e instanceof SourceFileError ? e : errnoReason(path, e);
  } finally {
    await handle.close();
  }
}

/**
 * Why an import's file was not read, by URI, for the validator's message ("is a FIFO"
 * rather than "cannot find"). Bounded: the oldest reasons are forgotten first.
 */
const refusals = new Map<string, string>();
const MAX_REFUSALS = 1000;

export function refusalOf(uri: URI): string | undefined {
  return refusals.get(uri.toString());
}

function noteRefusal(uri: URI, reason: string | undefined): void {
  const key = uri.toString();
  refusals.delete(key);
  if (reason === undefined) return;
  refusals.set(key, reason);
  if (refusals.size > MAX_REFUSALS) refusals.delete(refusals.keys().next().value!);
}

/**
 * Langium's file system provider, reading source files through the checks above: the CLI's
 * workspace and the language server read imports and workspace files with it.
 */
export class SourceFileSystemProvider extends NodeFileSystemProvider {
  override async readFile(uri: URI): Promise<string> {
    try {
      const text = await readSourceFile(uri.fsPath);
      noteRefusal(uri, undefined);
      return text;
    } catch (e) {
      if (e instanceof SourceFileError && !e.missing) noteRefusal(uri, e.reason);
      throw e;
    }
  }

  override readFileSync(uri: URI): string {
    try {
      const text = readSourceFileSync(uri.fsPath);
      noteRefusal(uri, undefined);
      return text;
    } catch (e) {
      if (e instanceof SourceFileError && !e.missing) noteRefusal(uri, e.reason);
      throw e;
    }
  }
}

/** The module context for Langium's services (in place of `NodeFileSystem`). */
export const SourceFileSystem = {
  fileSystemProvider: (): SourceFileSystemProvider => new SourceFileSystemProvider(),
};
