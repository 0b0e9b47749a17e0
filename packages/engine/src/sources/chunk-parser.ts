import type { EventBatch } from '../batch.js';
import type { ChunkRecords } from './chunk-records.js';
import { EventLookup } from './event-lookup.js';
import { recordFormat } from './input-formats.js';
import { MAX_REJECT_BYTES } from './line-parser.js';
import type { ChunkRejects } from './parallel-source.js';
import type { InputFormat, RecordFormat, RecordParser } from './record-format.js';
import { copyOfBytes, type RejectedRecord, RejectLedger, type RejectReason } from './reject.js';

export interface ChunkParserConfig {
  eventNames: readonly string[];
  format: InputFormat;
  /** Keep every rejected record (with its line in the chunk) for takeRejected. */
  keepRejected: boolean;
}

/**
 * Parses the records of one file chunk at a time (whichever thread read or received its bytes),
 * numbering lines within the chunk; the job numbers them in the whole file.
 */
export class ChunkParser {
  private readonly format: RecordFormat;
  private readonly ledger: RejectLedger;
  private readonly parser: RecordParser;
  private rejected: RejectedRecord[] = [];
  private chunkLines = 0;
  private batch: EventBatch = { count: 0, addresses: new Uint32Array(0), types: new Uint8Array(0) };

  constructor(config: ChunkParserConfig) {
    this.format = recordFormat(config.format);
    this.ledger = new RejectLedger(
      config.keepRejected ? (record) => this.rejected.push(record) : undefined,
      this.format.rejectReasons,
    );
    this.parser = this.format.createParser(new EventLookup(config.eventNames), this.ledger);
  }

  /** The chunk's events; the batch is reused by the next call. */
  parse(chunk: number, { bytes, readStart, first, last, overlong }: ChunkRecords): EventBatch {
    const capacity = this.format.maxEventsIn(last - first);
    if (this.batch.addresses.length < capacity) {
      this.batch = { count: 0, addresses: new Uint32Array(capacity), types: new Uint8Array(capacity) };
    }
    const batch = this.batch;
    batch.count = 0;
    const records = bytes.subarray(first, last);
    this.parser.restart(chunk === 0);
    this.parser.parse(records, records.length, true, batch, readStart + first);
    this.chunkLines = this.format.framing.kind === 'lines' ? this.parser.lines : 0;
    if (overlong) {
      // The record runs past the window: it is this chunk's last line, and the next chunk skips its rest.
      this.chunkLines++;
      this.ledger.reject({
        line: this.chunkLines,
        offset: readStart + last,
        reason: 'line-too-long',
        raw: copyOfBytes(bytes, last, Math.min(bytes.length, last + MAX_REJECT_BYTES)),
      });
    }
    return batch;
  }

  /** The rejected records of the chunk parsed last. */
  takeRejected(): ChunkRejects {
    const taken = { lines: this.chunkLines, records: this.rejected };
    this.rejected = [];
    return taken;
  }

  /** Rejected records so far, by reason. */
  rejects(): Partial<Record<RejectReason, number>> {
    return this.ledger.nonZero();
  }
}
