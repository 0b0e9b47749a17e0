import type { EventBatch } from '../batch.js';
import { ChunkParser, type ChunkParserConfig } from './chunk-parser.js';
import type { ChunkRecords } from './chunk-records.js';
import type { ChunkProducer } from './parallel-source.js';

/** Parses file chunks whose bytes another thread read and cut (see gzipFileSource). */
export function createChunkProducer(config: ChunkParserConfig): ChunkProducer {
  const parser = new ChunkParser(config);
  return {
    produce(chunk: number, input?: unknown): EventBatch {
      const records = input as ChunkRecords;
      // A Buffer again (it arrives as a Uint8Array): the parsers' indexOf is Buffer's memchr.
      const { buffer, byteOffset, byteLength } = records.bytes;
      return parser.parse(chunk, { ...records, bytes: Buffer.from(buffer, byteOffset, byteLength) });
    },
    takeRejected: () => parser.takeRejected(),
    rejects: () => parser.rejects(),
  };
}
