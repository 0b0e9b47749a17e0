import { type FileSourceConfig, fileSource } from './file-source.js';
import type { IndexedSource } from './parallel-source.js';

export type CsvFileSourceConfig = FileSourceConfig;

/** A regular CSV file as a parallel source (see fileSource for the chunk rule). */
export function csvFileSource(
  path: string,
  options: { eventNames: readonly string[]; chunkBytes?: number },
): IndexedSource {
  return fileSource(path, { ...options, format: 'csv' });
}
