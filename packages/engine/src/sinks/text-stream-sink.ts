import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { OutputColumns } from '../batch.js';
import { SinkError } from '../errors.js';
import type { OutputSink } from './sink.js';

export interface TextStreamSinkOptions {
  /** Turns a chunk's outputs into text (lines ending in \n). */
  format: (columns: OutputColumns) => string;
  /** Written once, before the first output (e.g. a CSV header). */
  header?: string;
  /** Closes the stream at the end (files); leave false for stdout. */
  end?: boolean;
  /** Named in error messages, e.g. the file path or "stdout". */
  name?: string;
}

/** Writes formatted outputs to a Writable, honouring its backpressure; write errors become SinkError. */
export class TextStreamSink implements OutputSink {
  private error: Error | undefined;
  private headerWritten = false;

  constructor(
    private readonly stream: Writable,
    private readonly options: TextStreamSinkOptions,
  ) {
    stream.on('error', (error) => {
      this.error ??= error;
    });
  }

  async write(_chunk: number, columns: OutputColumns): Promise<void> {
    this.writeHeader();
    await this.push(this.options.format(columns));
  }

  async close(): Promise<void> {
    this.writeHeader();
    this.check();
    if (this.options.end) {
      this.stream.end();
      await once(this.stream, 'finish').catch((error: Error) => {
        this.error ??= error;
      });
    } else if (this.stream.writableNeedDrain) {
      await this.waitForDrain();
    }
    this.check();
  }

  private writeHeader(): void {
    if (this.headerWritten) return;
    this.headerWritten = true;
    if (this.options.header) this.stream.write(this.options.header);
  }

  private async push(text: string): Promise<void> {
    this.check();
    if (text.length === 0) return;
    if (!this.stream.write(text)) await this.waitForDrain();
    this.check();
  }

  private async waitForDrain(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  private check(): void {
    if (this.error !== undefined) {
      const code = (this.error as NodeJS.ErrnoException).code;
      const reason = code === 'EPIPE' ? 'the reader closed the pipe' : this.error.message;
      throw new SinkError(`cannot write ${this.options.name ?? 'output'}: ${reason}`, this.error);
    }
  }
}
