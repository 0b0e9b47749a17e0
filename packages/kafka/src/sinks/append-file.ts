import { type FileHandle, open } from 'node:fs/promises';
import { SinkError } from '@statecraft/engine';

/**
 * A text file written by appending: every `append` resolves once the bytes are with the
 * operating system, so an offset committed after it never covers alerts a crash could lose.
 * Appending (never truncating, unless a checkpoint says so) keeps what earlier runs of the group,
 * or another process of it sharing the directory, wrote.
 */
export class AppendFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private bytes: number,
  ) {
    this.foundLength = bytes;
  }

  /** Bytes the file had when it was opened, before any cut. */
  readonly foundLength: number;

  /**
   * Opens (creating) `path`, first cut to `length` bytes when given; `header` is then written
   * when the file is empty.
   */
  static async open(path: string, header = '', length?: number): Promise<AppendFile> {
    let handle: FileHandle;
    let size: number;
    try {
      handle = await open(path, 'a');
      size = (await handle.stat()).size;
    } catch (error) {
      throw writeError(path, error);
    }
    const file = new AppendFile(handle, path, size);
    if (length !== undefined) await file.truncate(length);
    if (header !== '' && file.bytes === 0) await file.append(header);
    return file;
  }

  /** Bytes in the file: what was there, and what this process appended. */
  get length(): number {
    return this.bytes;
  }

  async append(text: string): Promise<void> {
    if (text === '') return;
    try {
      await this.handle.appendFile(text);
    } catch (error) {
      throw writeError(this.path, error);
    }
    this.bytes += Buffer.byteLength(text);
  }

  /** Makes everything appended so far durable. */
  async sync(): Promise<void> {
    try {
      await this.handle.datasync();
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

  private async truncate(length: number): Promise<void> {
    if (length > this.bytes) {
      throw new SinkError(
        `${this.path} has ${this.bytes} bytes, fewer than the ${length} its checkpoint recorded: the file was changed outside the job`,
      );
    }
    try {
      await this.handle.truncate(length);
    } catch (error) {
      throw writeError(this.path, error);
    }
    this.bytes = length;
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
