import { statSync } from 'node:fs';
import { moduleBeside } from '../runtime/module-url.js';
import { DEFAULT_CHUNK_BYTES } from './csv-source.js';
import type { ParallelSource } from './parallel-source.js';

export interface CsvFileSourceConfig {
  path: string;
  size: number;
  chunkBytes: number;
  eventNames: readonly string[];
}

/**
 * A regular CSV file as a parallel source: chunk k holds the records that start in bytes
 * [k·chunkBytes, (k+1)·chunkBytes), so any thread can parse any chunk on its own, and the chunk
 * sequence depends only on the file and the chunk size.
 */
export function csvFileSource(
  path: string,
  options: { eventNames: readonly string[]; chunkBytes?: number },
): ParallelSource {
  const size = statSync(path).size;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const chunks = Math.ceil(size / chunkBytes);
  const config: CsvFileSourceConfig = { path, size, chunkBytes, eventNames: options.eventNames };
  return {
    kind: 'parallel',
    module: moduleBeside(import.meta.url, 'csv-file-producer'),
    config,
    chunks,
    splits: Math.max(1, chunks),
    name: path,
  };
}
