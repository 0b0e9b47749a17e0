import {
  type EventBatch,
  EventLookup,
  type InputFormat,
  type RecordFormat,
  type RecordParser,
  RejectLedger,
  type RejectReason,
  recordFormat,
} from '@statecraft/engine';
import type { FetchedRecord } from '../client/client.js';

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
    this.parser.restart(false);
  }

  /**
   * Decodes a fetch's records with offsets in [from, end) (records come in offset order), where
   * `lastOffset` is the fetch's last offset, control records included. Undefined when the fetch
   * has nothing at or past `from`; otherwise a chunk, possibly without events (all rejected, or
   * only control records), that moves the partition on to min(lastOffset + 1, end).
   */
  decode(
    partition: number,
    records: readonly FetchedRecord[],
    lastOffset: number,
    from: number,
    end: number,
  ): DecodedChunk | undefined {
    const nextOffset = Math.min(lastOffset + 1, end);
    if (nextOffset <= from) return undefined;
    const recordOffsets = new Float64Array(records.length);
    let first = records.length;
    let stop = records.length;
    let capacity = 0;
    for (let i = 0; i < records.length; i++) {
      const offset = Number(records[i]!.offset);
      if (offset < from) continue;
      if (offset >= end) {
        stop = i;
        break;
      }
      if (first === records.length) first = i;
      recordOffsets[i] = offset;
      capacity += this.format.maxEventsIn(records[i]!.value?.length ?? 0);
    }
    const batch: EventBatch = {
      count: 0,
      addresses: new Uint32Array(capacity),
      types: new Uint8Array(capacity),
    };
    const offsets = new Float64Array(capacity);
    this.partition = partition;
    for (let i = first; i < stop; i++) {
      const value = records[i]!.value;
      this.offset = recordOffsets[i]!;
      const before = batch.count;
      if (value === null || value.length === 0) {
        this.rejects.reject({
          line: 0,
          offset: 0,
          reason: EMPTY_REASON[this.format.name],
          raw: new Uint8Array(0),
        });
        continue;
      }
      this.parser.parse(value, value.length, true, batch, 0);
      offsets.fill(this.offset, before, batch.count);
    }
    return { partition, batch, offsets, records: Math.max(0, stop - first), nextOffset };
  }
}
