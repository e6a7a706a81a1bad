/**
 * A problem the user can fix (a missing input file, an output folder that cannot be written,
 * a port in use): the command prints its message as one line and exits with code 1.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'the disk quota is used up',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file of that name is in the way',
  EMFILE: 'too many files open',
  EIO: 'the disk reported an input/output error',
};

/** What a file-system error means, in words ("permission denied"); its message when it has no known code. */
export function fsReason(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  return (code && FS_REASONS[code]) ?? (err as Error).message;
}
