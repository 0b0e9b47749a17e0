import { type FileHandle, open } from 'node:fs/promises';
import { SinkError } from '@statecraft/engine';

/**
 * A text file written by appending: every `append` resolves once the bytes are with the
 * operating system, so an offset committed after it never covers alerts a crash could lose.
 * Appending (never truncating) keeps what earlier runs of the group, or another process of it
 * sharing the directory, wrote.
 */
export class AppendFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Opens (creating) `path`; `header` is written when the file is empty. */
  static async open(path: string, header = ''): Promise<AppendFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'a');
    } catch (error) {
      throw writeError(path, error);
    }
    const file = new AppendFile(handle, path);
    if (header !== '' && (await handle.stat()).size === 0) await file.append(header);
    return file;
  }

  async append(text: string): Promise<void> {
    if (text === '') return;
    try {
      await this.handle.appendFile(text);
    } catch (error) {
      throw writeError(this.path, error);
    }
  }

  async close(): Promise<void> {
    try {
      await this.handle.close();
    } catch (error) {
      throw writeError(this.path, error);
    }
  }
}

function writeError(path: string, error: unknown): SinkError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such directory'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'no space left on device'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (error as Error).message;
  return new SinkError(`cannot write ${path}: ${reason}`, error);
}
