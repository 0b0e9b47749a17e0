import { type FileSourceConfig, fileSource } from './file-source.js';
import type { ParallelSource } from './parallel-source.js';

export type CsvFileSourceConfig = FileSourceConfig;

/** A regular CSV file as a parallel source (see fileSource for the chunk rule). */
export function csvFileSource(
  path: string,
  options: { eventNames: readonly string[]; chunkBytes?: number },
): ParallelSource {
  return fileSource(path, { ...options, format: 'csv' });
}
