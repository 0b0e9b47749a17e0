import { closeSync, openSync, readSync } from 'node:fs';
import type { EventBatch } from '../batch.js';
import { InputError } from '../errors.js';
import { NEWLINE } from './ascii.js';
import { EventLookup } from './event-lookup.js';
import type { FileSourceConfig } from './file-source.js';
import { recordFormat } from './input-formats.js';
import { MAX_LINE_BYTES, MAX_REJECT_BYTES } from './line-parser.js';
import type { ChunkProducer } from './parallel-source.js';
import { copyOfBytes, type RejectedRecord, RejectLedger } from './reject.js';

/** The records a chunk owns: bytes[first, last) of a read starting at file offset `readStart`. */
interface ChunkRecords {
  bytes: Buffer;
  readStart: number;
  first: number;
  last: number;
  /** The chunk's last record runs past the read window (a line longer than MAX_LINE_BYTES). */
  overlong: boolean;
}

/** Reads and parses byte-range chunks of a file (see fileSource for the chunk rule). */
export function createChunkProducer(config: FileSourceConfig): ChunkProducer {
  const { path, size, chunkBytes } = config;
  const format = recordFormat(config.format);
  let rejected: RejectedRecord[] = [];
  const rejects = new RejectLedger(
    config.keepRejected ? (record) => rejected.push(record) : undefined,
    format.rejectReasons,
  );
  let chunkLines = 0;
  const parser = format.createParser(new EventLookup(config.eventNames), rejects);
  let fd: number | undefined;
  let readBuffer = Buffer.alloc(0);
  let batch: EventBatch = { count: 0, addresses: new Uint32Array(0), types: new Uint8Array(0) };

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

  /** Line records: those starting at offset 0 or right after a newline, before the chunk's end. */
  const lineRecords = (chunk: number): ChunkRecords => {
    const nominalStart = chunk * chunkBytes;
    const nominalEnd = Math.min(size, nominalStart + chunkBytes);
    const readStart = chunk === 0 ? 0 : nominalStart - 1;
    const bytes = read(readStart, Math.min(size, nominalEnd + MAX_LINE_BYTES + 1));
    let first = 0;
    if (chunk > 0) {
      const newline = bytes.indexOf(NEWLINE);
      first = newline === -1 ? bytes.length : newline + 1;
    }
    const ownedEnd = nominalEnd - readStart;
    let last = first;
    if (first < ownedEnd) {
      const newline = bytes.indexOf(NEWLINE, ownedEnd - 1);
      if (newline !== -1) last = newline + 1;
      else if (readStart + bytes.length >= size) last = bytes.length;
      else last = bytes.lastIndexOf(NEWLINE, ownedEnd - 1) + 1 || first;
    }
    return { bytes, readStart, first, last, overlong: last < ownedEnd };
  };

  /** Fixed-size records: the chunk size is a multiple of the record size, so a chunk is its bytes. */
  const fixedRecords = (chunk: number): ChunkRecords => {
    const readStart = chunk * chunkBytes;
    const bytes = read(readStart, Math.min(size, readStart + chunkBytes));
    return { bytes, readStart, first: 0, last: bytes.length, overlong: false };
  };

  const recordsOf = format.framing.kind === 'lines' ? lineRecords : fixedRecords;

  return {
    produce(chunk: number): EventBatch {
      const { bytes, readStart, first, last, overlong } = recordsOf(chunk);
      const capacity = format.maxEventsIn(last - first);
      if (batch.addresses.length < capacity) {
        batch = { count: 0, addresses: new Uint32Array(capacity), types: new Uint8Array(capacity) };
      }
      batch.count = 0;
      const records = bytes.subarray(first, last);
      parser.restart(chunk === 0);
      parser.parse(records, records.length, true, batch, readStart + first);
      chunkLines = format.framing.kind === 'lines' ? parser.lines : 0;
      if (overlong) {
        // The record runs past the read window: it is this chunk's last line, and the next chunk skips its rest.
        chunkLines++;
        rejects.reject({
          line: chunkLines,
          offset: readStart + last,
          reason: 'line-too-long',
          raw: copyOfBytes(bytes, last, Math.min(bytes.length, last + MAX_REJECT_BYTES)),
        });
      }
      return batch;
    },
    takeRejected: () => {
      const taken = { lines: chunkLines, records: rejected };
      rejected = [];
      return taken;
    },
    rejects: () => rejects.nonZero(),
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
