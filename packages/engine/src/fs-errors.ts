/** What went wrong with a file, in a few words: errno and zlib codes are not for users. */
export function describeFsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'Z_BUF_ERROR':
      return `truncated gzip data (${message})`;
    case 'Z_DATA_ERROR':
      return `not valid gzip data (${message})`;
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    default:
      return code ?? message ?? String(error);
  }
}
