/**
 * Node's file system errors (`EISDIR: illegal operation on a directory, open 'x'`) as a
 * sentence that names the file and says what is wrong, for the CLI's exit code 2.
 */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'cannot move it across file systems',
};

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  rename: 'replace',
  mkdir: 'create',
  unlink: 'remove',
  scandir: 'list',
  stat: 'read',
  lstat: 'read',
  copyfile: 'copy',
};

/** A sentence for a Node system error that names a path, or undefined for any other error. */
export function describeSystemError(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, path, syscall } = e as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof path !== 'string') return undefined;
  const reason = REASONS[code] ?? code;
  return `cannot ${VERBS[syscall ?? ''] ?? 'use'} ${path}: ${reason}`;
}
