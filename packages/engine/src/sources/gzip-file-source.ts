import { moduleBeside } from '../runtime/module-url.js';
import { chunkBytesFor } from './chunk-records.js';
import type { FileSourceOptions } from './file-source.js';
import { GzipFeed } from './gzip-feed.js';
import { recordFormat } from './input-formats.js';
import type { FedSource } from './parallel-source.js';
import type { InputFormat } from './record-format.js';
import { DEFAULT_CHUNK_BYTES } from './record-stream-source.js';

export interface GzipFileSourceConfig {
  path: string;
  compression: 'gzip';
  chunkBytes: number;
  eventNames: readonly string[];
  format: InputFormat;
  keepRejected: boolean;
}

/**
 * A gzip-compressed file of any input format as a parallel source. A gzip stream can only be
 * inflated from its start, so the calling thread inflates it (zlib works on a libuv thread) and
 * cuts the inflated bytes into exactly the chunks fileSource makes of the uncompressed file; the
 * worker threads parse them. Byte offsets (of rejected records) are offsets in the inflated stream.
 */
export function gzipFileSource(path: string, options: FileSourceOptions): FedSource {
  const format = options.format ?? 'csv';
  const { framing } = recordFormat(format);
  const chunkBytes = chunkBytesFor(framing, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  const keepRejected = options.keepRejected ?? false;
  const config: GzipFileSourceConfig = {
    path,
    compression: 'gzip',
    chunkBytes,
    eventNames: options.eventNames,
    format,
    keepRejected,
  };
  return {
    kind: 'parallel',
    module: moduleBeside(import.meta.url, 'fed-file-producer'),
    config,
    name: path,
    keepsRejected: keepRejected,
    feed: (from) => new GzipFeed(path, framing, chunkBytes, from),
  };
}
