import {
  type FileSourceConfig,
  type GzipFileSourceConfig,
  isFedSource,
  isParallelSource,
  type JobMetrics,
  type ParallelSource,
  RecordStreamSource,
} from '@statecraft/engine';
import { bytes, count } from './format.js';

/** How far through its input a run is: done and total in some unit, when the total is known. */
export interface Progress {
  done: number;
  total: number | undefined;
  /** "1.2 GiB / 5.0 GiB", "4,200,000 / 10,000,000 events". */
  text: string;
}

/** Reads a run's progress from its metrics (and, for an input read on the main thread, the source). */
export type InputProgress = (metrics: JobMetrics) => Progress;

/**
 * The generator: events of the total. A file read in parallel: bytes of the chunks written (for .gz
 * the inflated bytes, of no known total). Stdin: events only.
 */
export function inputProgress(
  source: Iterable<unknown> | AsyncIterable<unknown> | ParallelSource,
  input: { path: string | undefined; events: number; fileSize: number | undefined },
): InputProgress {
  if (isParallelSource(source)) {
    if (input.path === undefined) {
      const total = input.events;
      return (m) => ({ done: m.events, total, text: `${count(m.events)} / ${count(total)} events` });
    }
    if (isFedSource(source)) {
      // A .gz file: the inflated bytes of the chunks written, of no known total.
      const { chunkBytes } = source.config as GzipFileSourceConfig;
      return (m) => {
        const done = m.chunks * chunkBytes;
        return { done, total: undefined, text: `${bytes(done)} inflated` };
      };
    }
    const { size, chunkBytes } = source.config as FileSourceConfig;
    return (m) => {
      const done = Math.min(size, m.chunks * chunkBytes);
      return { done, total: size, text: `${bytes(done)} / ${bytes(size)}` };
    };
  }
  if (source instanceof RecordStreamSource) {
    const total = input.path !== undefined && !input.path.endsWith('.gz') ? input.fileSize : undefined;
    return () => {
      const done = source.bytes;
      return {
        done,
        total,
        text: total === undefined ? `${bytes(done)} read` : `${bytes(done)} / ${bytes(total)}`,
      };
    };
  }
  return (m) => ({ done: m.events, total: undefined, text: `${count(m.events)} events` });
}

/** Seconds left at the average pace so far, or undefined when unknown. */
export function etaSeconds(progress: Progress, startDone: number, elapsedMs: number): number | undefined {
  const { done, total } = progress;
  if (total === undefined || done <= startDone || elapsedMs <= 0) return undefined;
  const perMs = (done - startDone) / elapsedMs;
  return Math.max(0, (total - done) / perMs / 1000);
}
