import type { Writable } from 'node:stream';
import { SinkError } from '../errors.js';

/**
 * Writes text (or bytes) to a Writable, waiting for 'drain' when its buffer is full, and turns the stream's
 * errors into a one-line SinkError on the next write or at the end.
 */
export class StreamWriter {
  private error: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly name: string,
  ) {
    stream.on('error', (error) => {
      this.error ??= error;
    });
  }

  async write(data: string | Uint8Array): Promise<void> {
    this.check();
    if (data.length > 0 && !this.stream.write(data)) await this.settled('drain');
    this.check();
  }

  /**
   * Queues `data` without waiting for 'drain': the promise resolves once the stream is done with
   * the bytes (written out, failed or closed), so the caller may refill them. The caller bounds
   * what it has in flight (EventsWriter keeps a few buffers).
   */
  submit(data: Uint8Array): Promise<void> {
    this.check();
    const { stream } = this;
    return new Promise<void>((resolve) => {
      const done = () => {
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('error', done);
      stream.on('close', done);
      stream.write(data, done);
    });
  }

  /** Flushes; with `end`, ends the stream and waits until it is written out (files). */
  async finish(end: boolean): Promise<void> {
    this.check();
    if (end) {
      this.stream.end();
      if (!this.stream.writableFinished) await this.settled('finish');
    } else if (this.stream.writableNeedDrain) {
      await this.settled('drain');
    }
    this.check();
  }

  /** Resolves on `event`, or when the stream errors or closes first; removes its listeners. */
  private settled(event: 'drain' | 'finish'): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off(event, done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on(event, done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  private check(): void {
    if (this.error === undefined) return;
    const code = (this.error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EPIPE'
        ? 'the reader closed the pipe'
        : code === 'ENOSPC'
          ? 'no space left on device'
          : this.error.message;
    throw new SinkError(`cannot write ${this.name}: ${reason}`, this.error);
  }
}
