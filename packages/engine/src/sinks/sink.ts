import type { OutputColumns } from '../batch.js';

/**
 * Receives a job's outputs in source order: `write` is called once per chunk that produced output,
 * and awaited before the next call (a slow sink slows the job). `close` flushes at the end.
 */
export interface OutputSink {
  write(chunk: number, columns: OutputColumns): void | Promise<void>;
  /**
   * Called once every output of `chunk` has been written (right after `write`, or alone for a
   * chunk without outputs), in chunk order: a source can then acknowledge the chunk's input.
   */
  chunkWritten?(chunk: number): void;
  close?(): void | Promise<void>;
}
