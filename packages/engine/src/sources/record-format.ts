import type { EventBatch } from '../batch.js';
import type { EventLookup } from './event-lookup.js';
import type { RejectLedger, RejectReason } from './reject.js';

/** The input formats: CSV lines, NDJSON lines, and Flink's 8-byte binary records. */
export type InputFormat = 'csv' | 'ndjson' | 'flink-binary';

/**
 * Parses events of one format from bytes into columnar batches, rejecting bad records into a
 * ledger. Streaming sources and byte-range file producers drive any parser the same way.
 */
export interface RecordParser {
  /** Lines (records, for binary formats) read so far. */
  readonly lines: number;
  /** Starts a chunk of a file: line numbers restart; `atFileStart` says it is the file's first chunk. */
  restart(atFileStart: boolean): void;
  /** Counts a line the caller skipped without parsing (an over-long record). */
  skipLine(): void;
  /**
   * Parses the complete records of bytes[0, end) into `batch` (which must have room for
   * `maxEventsIn(end)` more events). With `final`, an incomplete last record is parsed (or
   * rejected) too. Returns the index of the first byte not consumed; `baseOffset` is bytes[0]'s
   * offset in the input.
   */
  parse(bytes: Uint8Array, end: number, final: boolean, batch: EventBatch, baseOffset: number): number;
}

/** How records are delimited: by newlines (a line is at most MAX_LINE_BYTES), or fixed-size. */
export type Framing = { kind: 'lines' } | { kind: 'fixed'; recordBytes: number };

/** An input format: how its records are framed, and how to parse them. */
export interface RecordFormat {
  readonly name: InputFormat;
  readonly framing: Framing;
  /** The reasons this format's parser may reject a record for. */
  readonly rejectReasons: readonly RejectReason[];
  /** Upper bound of the events in `bytes` bytes of input. */
  maxEventsIn(bytes: number): number;
  createParser(events: EventLookup, rejects: RejectLedger): RecordParser;
}
