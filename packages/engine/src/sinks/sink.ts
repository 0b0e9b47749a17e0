import type { OutputColumns } from '../batch.js';

/**
 * Receives a job's outputs in source order: `write` is called once per chunk that produced output,
 * and awaited before the next call (a slow sink slows the job). `close` flushes at the end.
 */
export interface OutputSink {
  write(chunk: number, columns: OutputColumns): void | Promise<void>;
  close?(): void | Promise<void>;
}
