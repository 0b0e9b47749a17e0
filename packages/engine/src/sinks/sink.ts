import type { OutputColumns } from '../batch.js';

/**
 * Receives a job's outputs in source order: `write` is called once per chunk that produced output,
 * and awaited before the next call (a slow sink slows the job). `close` flushes at the end.
 *
 * Checkpointed jobs also use `position` (how much has been written, buffered output included),
 * `commit` (make everything up to a position durable) and `rewind` (drop everything after a
 * position, to restart from a checkpoint). A sink without `rewind` gives at-least-once output on a
 * restart: what was written after the checkpoint is written again.
 */
export interface OutputSink {
  write(chunk: number, columns: OutputColumns): void | Promise<void>;
  /**
   * Called once every output of `chunk` has been written (right after `write`, or alone for a
   * chunk without outputs), in chunk order: a source can then acknowledge the chunk's input.
   */
  chunkWritten?(chunk: number): void;
  close?(): void | Promise<void>;
  position?(): number;
  commit?(position: number): Promise<void>;
  rewind?(position: number): Promise<void>;
}
