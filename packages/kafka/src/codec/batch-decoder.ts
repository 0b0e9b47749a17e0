import {
  type EventBatch,
  EventLookup,
  FLINK_RECORD_BYTES,
  type InputFormat,
  type RecordFormat,
  type RecordParser,
  RejectLedger,
  type RejectReason,
  recordFormat,
} from '@statecraft/engine';
import type { RecordRun } from '../wire/record-batch-decoder.js';

/** A record the decoder could not read: its partition and offset, why, and (the start of) its value. */
export interface KafkaRejectedRecord {
  partition: number;
  offset: number;
  reason: RejectReason;
  raw: Uint8Array;
}

/** The events of a run of one partition's records, as a columnar batch. */
export interface DecodedChunk {
  partition: number;
  batch: EventBatch;
  /** offsets[i] is the offset of the record event i came from. */
  offsets: Float64Array;
  /** Records taken (each gave one event, several, or a reject). */
  records: number;
  /** Where the partition resumes once this chunk is done. */
  nextOffset: number;
}

const EMPTY_REASON: Readonly<Record<InputFormat, RejectReason>> = {
  'flink-binary': 'truncated-record',
  csv: 'empty-line',
  ndjson: 'empty-line',
};

/**
 * Decodes fetched records into columnar batches with the engine's parser for the format: a
 * record's value holds one event (Flink's 8-byte layout, one CSV or NDJSON line) or several
 * (more 8-byte records, more lines). Bad records are rejected, with their partition and offset.
 */
export class BatchDecoder {
  readonly rejects: RejectLedger;
  private readonly format: RecordFormat;
  private readonly parser: RecordParser;
  private readonly eventCount: number;
  private partition = 0;
  private offset = 0;

  constructor(
    formatName: InputFormat,
    eventNames: readonly string[],
    onReject: (record: KafkaRejectedRecord) => void,
  ) {
    this.format = recordFormat(formatName);
    this.rejects = new RejectLedger(
      (record) =>
        onReject({ partition: this.partition, offset: this.offset, reason: record.reason, raw: record.raw }),
      this.format.rejectReasons,
    );
    this.parser = this.format.createParser(new EventLookup(eventNames), this.rejects);
    this.eventCount = eventNames.length;
    this.parser.restart(false);
  }

  /**
   * Decodes a fetch's records with offsets in [from, end) (records come in offset order), where
   * `run.lastOffset` is the fetch's last offset, control records included. Undefined when the
   * fetch has nothing at or past `from`; otherwise a chunk, possibly without events (all
   * rejected, or only control records), that moves the partition on to min(lastOffset + 1, end).
   */
  decode(partition: number, run: RecordRun, from: number, end: number): DecodedChunk | undefined {
    const nextOffset = Math.min(run.lastOffset + 1, end);
    if (nextOffset <= from) return undefined;
    const { count, offsets: recordOffsets, values, valueStarts, valueEnds } = run;
    let first = count;
    let stop = count;
    let capacity = 0;
    for (let i = 0; i < count; i++) {
      const offset = recordOffsets[i]!;
      if (offset < from) continue;
      if (offset >= end) {
        stop = i;
        break;
      }
      if (first === count) first = i;
      capacity += this.format.maxEventsIn(Math.max(0, valueEnds[i]! - valueStarts[i]!));
    }
    const batch: EventBatch = {
      count: 0,
      addresses: new Uint32Array(capacity),
      types: new Uint8Array(capacity),
    };
    const offsets = new Float64Array(capacity);
    this.partition = partition;
    const flinkBinary = this.format.name === 'flink-binary';
    const eventCount = this.eventCount;
    for (let i = first; i < stop; i++) {
      const start = valueStarts[i]!;
      const length = valueEnds[i]! - start;
      this.offset = recordOffsets[i]!;
      const before = batch.count;
      if (start < 0 || length === 0) {
        this.rejects.reject({
          line: 0,
          offset: 0,
          reason: EMPTY_REASON[this.format.name],
          raw: new Uint8Array(0),
        });
        continue;
      }
      if (flinkBinary && length === FLINK_RECORD_BYTES) {
        // One Flink event per record, the common case: read in place, as FlinkBinaryParser does.
        const type =
          values[start + 4]! |
          (values[start + 5]! << 8) |
          (values[start + 6]! << 16) |
          (values[start + 7]! << 24);
        if (type >= 0 && type < eventCount) {
          batch.addresses[before] =
            values[start]! |
            (values[start + 1]! << 8) |
            (values[start + 2]! << 16) |
            (values[start + 3]! << 24);
          batch.types[before] = type;
          offsets[before] = this.offset;
          batch.count = before + 1;
          continue;
        }
      }
      this.parser.parse(values.subarray(start, start + length), length, true, batch, 0);
      offsets.fill(this.offset, before, batch.count);
    }
    return { partition, batch, offsets, records: Math.max(0, stop - first), nextOffset };
  }
}
