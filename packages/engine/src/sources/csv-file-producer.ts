import { closeSync, openSync, readSync } from 'node:fs';
import type { EventBatch } from '../batch.js';
import { InputError } from '../errors.js';
import type { CsvFileSourceConfig } from './csv-file-source.js';
import { CsvParser, MAX_LINE_BYTES, maxEventsIn } from './csv-parser.js';
import { EventLookup } from './event-lookup.js';
import type { ChunkProducer } from './parallel-source.js';
import { RejectLedger } from './reject.js';

const NEWLINE = 0x0a;

/** Reads and parses byte-range chunks of a CSV file (see csvFileSource for the chunk rule). */
export function createChunkProducer(config: CsvFileSourceConfig): ChunkProducer {
  const { path, size, chunkBytes } = config;
  const rejects = new RejectLedger();
  const parser = new CsvParser(new EventLookup(config.eventNames), rejects);
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

  return {
    produce(chunk: number): EventBatch {
      const nominalStart = chunk * chunkBytes;
      const nominalEnd = Math.min(size, nominalStart + chunkBytes);
      const readStart = chunk === 0 ? 0 : nominalStart - 1;
      const bytes = read(readStart, Math.min(size, nominalEnd + MAX_LINE_BYTES + 1));
      // A record starts at offset 0 or right after a newline; this chunk owns those starting before nominalEnd.
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
      const capacity = maxEventsIn(last - first);
      if (batch.addresses.length < capacity) {
        batch = { count: 0, addresses: new Uint32Array(capacity), types: new Uint8Array(capacity) };
      }
      batch.count = 0;
      const records = bytes.subarray(first, last);
      parser.restart(chunk === 0);
      parser.parse(records, records.length, true, batch, readStart + first);
      if (last < ownedEnd) rejectOverlong(readStart + last);
      return batch;
    },
    rejects: () => Object.fromEntries(Object.entries(rejects.counts).filter(([, n]) => n > 0)),
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };

  /** The chunk's last record runs past the read window: longer than MAX_LINE_BYTES. */
  function rejectOverlong(offset: number): void {
    rejects.reject({ line: 0, offset, reason: 'line-too-long', raw: new Uint8Array(0) });
  }
}
