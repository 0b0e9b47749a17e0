import type { Writable } from 'node:stream';
import type { OutputColumns } from '../batch.js';
import type { OutputSink } from './sink.js';
import { StreamWriter } from './stream-writer.js';

export interface TextStreamSinkOptions {
  /** Turns a chunk's outputs into text (lines ending in \n). */
  format: (columns: OutputColumns) => string;
  /** Written once, before the first output (e.g. a CSV header). */
  header?: string;
  /** Closes the stream at the end (files); leave false for stdout. */
  end?: boolean;
  /** Named in error messages, e.g. the file path or "stdout". */
  name?: string;
  /**
   * Continues output of which a checkpoint committed this many bytes (written by an earlier run):
   * the header is not written again, and `position` counts on from there.
   */
  resumeAt?: number;
}

/** Writes formatted outputs to a Writable, honouring its backpressure; write errors become SinkError. */
export class TextStreamSink implements OutputSink {
  private readonly writer: StreamWriter;
  private headerWritten = false;
  private bytes = 0;

  constructor(
    stream: Writable,
    private readonly options: TextStreamSinkOptions,
  ) {
    this.writer = new StreamWriter(stream, options.name ?? 'output');
    this.bytes = options.resumeAt ?? 0;
    this.headerWritten = this.bytes > 0;
  }

  async write(_chunk: number, columns: OutputColumns): Promise<void> {
    await this.writeHeader();
    await this.send(this.options.format(columns));
  }

  /** Bytes written so far (from resumeAt); a stream cannot be rewound, so after a restart output repeats (at-least-once). */
  position(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    await this.writeHeader();
    await this.writer.finish(this.options.end ?? false);
  }

  private async writeHeader(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    if (this.options.header) await this.send(this.options.header);
  }

  private async send(text: string): Promise<void> {
    this.bytes += Buffer.byteLength(text);
    await this.writer.write(text);
  }
}
