import { closeSync, openSync, readSync } from 'node:fs';
import type { EventBatch } from '../batch.js';
import { InputError } from '../errors.js';
import { ChunkParser } from './chunk-parser.js';
import { chunkRecords, chunkWindow } from './chunk-records.js';
import type { FileSourceConfig } from './file-source.js';
import { recordFormat } from './input-formats.js';
import type { ChunkProducer } from './parallel-source.js';

/** Reads and parses byte-range chunks of a file (see fileSource for the chunk rule). */
export function createChunkProducer(config: FileSourceConfig): ChunkProducer {
  const { path, size, chunkBytes } = config;
  const { framing } = recordFormat(config.format);
  const parser = new ChunkParser(config);
  let fd: number | undefined;
  let readBuffer = Buffer.alloc(0);

  const read = (start: number, end: number): Buffer => {
    try {
      fd ??= openSync(path, 'r');
      if (readBuffer.length < end - start) readBuffer = Buffer.allocUnsafe(end - start);
      const buffer = readBuffer.subarray(0, end - start);
      let filled = 0;
      while (filled < buffer.length) {
        const n = readSync(fd, buffer, filled, buffer.length - filled, start + filled);
        if (n === 0) break;
        filled += n;
      }
      return buffer.subarray(0, filled);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new InputError(`cannot read ${path}: ${code}`, error);
    }
  };

  return {
    produce(chunk: number): EventBatch {
      const { start, end } = chunkWindow(framing, chunk, chunkBytes, size);
      return parser.parse(chunk, chunkRecords(framing, chunk, chunkBytes, size, read(start, end), start));
    },
    takeRejected: () => parser.takeRejected(),
    rejects: () => parser.rejects(),
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
