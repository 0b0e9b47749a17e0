import { statSync } from 'node:fs';
import { moduleBeside } from '../runtime/module-url.js';
import { chunkBytesFor } from './chunk-records.js';
import { recordFormat } from './input-formats.js';
import type { IndexedSource } from './parallel-source.js';
import type { InputFormat } from './record-format.js';
import { DEFAULT_CHUNK_BYTES } from './record-stream-source.js';

export interface FileSourceConfig {
  path: string;
  size: number;
  chunkBytes: number;
  eventNames: readonly string[];
  format: InputFormat;
  keepRejected: boolean;
}

/** How a file (plain or gzip) is read as a parallel source. */
export interface FileSourceOptions {
  eventNames: readonly string[];
  format?: InputFormat;
  chunkBytes?: number;
  /** Report every rejected record (with its line in the file) to the job's onRejected. */
  keepRejected?: boolean;
}

/**
 * A regular file of any input format as a parallel source: chunk k holds the records that start
 * in bytes [k·chunkBytes, (k+1)·chunkBytes), so any thread can parse any chunk on its own, and the
 * chunk sequence depends only on the file and the chunk size. For fixed-size records the chunk
 * size is rounded up to a multiple of the record size, so chunks start on record starts.
 */
export function fileSource(path: string, options: FileSourceOptions): IndexedSource {
  const format = options.format ?? 'csv';
  const size = statSync(path).size;
  const chunkBytes = chunkBytesFor(recordFormat(format).framing, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const chunks = Math.ceil(size / chunkBytes);
  const keepRejected = options.keepRejected ?? false;
  const config: FileSourceConfig = {
    path,
    size,
    chunkBytes,
    eventNames: options.eventNames,
    format,
    keepRejected,
  };
  return {
    kind: 'parallel',
    module: moduleBeside(import.meta.url, 'file-producer'),
    config,
    chunks,
    splits: Math.max(1, chunks),
    name: path,
    keepsRejected: keepRejected,
  };
}
