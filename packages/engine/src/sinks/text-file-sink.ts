import { type FileHandle, open } from 'node:fs/promises';
import type { OutputColumns } from '../batch.js';
import { SinkError } from '../errors.js';
import type { OutputSink } from './sink.js';

const FLUSH_BYTES = 1 << 20;

export interface TextFileSinkOptions {
  /** Turns a chunk's outputs into text (lines ending in \n). */
  format: (columns: OutputColumns) => string;
  /** Written at the start of the file (e.g. a CSV header). */
  header?: string;
  /**
   * Continue a file after its first `resumeAt` bytes (a checkpoint's committed position): the
   * rest is cut off. Without it, the file is truncated and starts with the header.
   */
  resumeAt?: number;
}

/**
 * Formatted outputs appended to a file through positioned writes, buffered up to 1 MiB. It knows
 * its position exactly, so a checkpoint can commit it (flush + fsync) and a restart can rewind it
 * (truncate): the file then holds each output exactly once.
 */
export class TextFileSink implements OutputSink {
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushed: number;
  /** Bytes taken out of `pending` by a flush that has not finished writing them. */
  private flushing = 0;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly options: TextFileSinkOptions,
    start: number,
  ) {
    this.flushed = start;
    if (start === 0 && options.header) this.buffer(options.header);
  }

  /** Opens (creating) `path`; throws a SinkError naming it when it cannot, or when it is shorter than `resumeAt`. */
  static async open(path: string, options: TextFileSinkOptions): Promise<TextFileSink> {
    const start = options.resumeAt ?? 0;
    let file: FileHandle;
    try {
      file = await open(path, start > 0 ? 'r+' : 'w');
    } catch (error) {
      if (start > 0 && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SinkError(
          `${path} does not exist, but the checkpoint committed ${start} bytes of it`,
          error,
        );
      }
      throw new SinkError(`cannot write ${path}: ${describe(error)}`, error);
    }
    try {
      const { size } = await file.stat();
      if (size < start) {
        throw new SinkError(
          `${path} has ${size} bytes but the checkpoint committed ${start}: it is not this job's output`,
        );
      }
      await file.truncate(start);
    } catch (error) {
      await file.close();
      throw error instanceof SinkError
        ? error
        : new SinkError(`cannot write ${path}: ${describe(error)}`, error);
    }
    return new TextFileSink(file, path, options, start);
  }

  async write(_chunk: number, columns: OutputColumns): Promise<void> {
    this.buffer(this.options.format(columns));
    if (this.pendingBytes >= FLUSH_BYTES) await this.enqueue(() => this.flush());
  }

  position(): number {
    return this.flushed + this.flushing + this.pendingBytes;
  }

  /** Flushes and fsyncs: everything written so far, so at least `position`, is durable. */
  commit(_position: number): Promise<void> {
    return this.enqueue(async () => {
      await this.flush();
      await this.file.sync();
    });
  }

  /** Drops everything after `position` (a restart from a checkpoint); never extends the file. */
  rewind(position: number): Promise<void> {
    return this.enqueue(async () => {
      if (position > this.position()) {
        throw new SinkError(
          `cannot rewind ${this.path} to byte ${position}: only ${this.position()} bytes were written`,
        );
      }
      this.pending = [];
      this.pendingBytes = 0;
      await this.file.truncate(position);
      this.flushed = position;
      if (position === 0 && this.options.header) this.buffer(this.options.header);
    });
  }

  close(): Promise<void> {
    return this.enqueue(async () => {
      await this.flush();
      await this.file.close();
    });
  }

  private buffer(text: string): void {
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingBytes += Buffer.byteLength(text);
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.flushing = this.pendingBytes;
    this.pendingBytes = 0;
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await this.file.write(
          bytes,
          written,
          bytes.length - written,
          this.flushed + written,
        );
        written += bytesWritten;
      }
      this.flushed += bytes.length;
    } finally {
      this.flushing = 0;
    }
  }

  /** File operations run one at a time, in call order; a failure becomes a SinkError naming the file. */
  private enqueue(operation: () => Promise<void>): Promise<void> {
    const run = this.queue.then(operation).catch((error: unknown) => {
      throw error instanceof SinkError
        ? error
        : new SinkError(`cannot write ${this.path}: ${describe(error)}`, error);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'no space left on device';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (error instanceof Error ? error.message : String(error));
}
