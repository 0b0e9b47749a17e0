import type { EventBatch } from '../batch.js';
import type { EventLookup } from './event-lookup.js';
import type { RecordParser } from './record-format.js';
import { copyOfBytes, type RejectLedger } from './reject.js';

/** Bytes per record: a little-endian int32 address, then a little-endian int32 type ordinal. */
export const FLINK_RECORD_BYTES = 8;

/** Upper bound of binary events in `bytes` bytes. */
export function maxFlinkBinaryEventsIn(bytes: number): number {
  return Math.floor(bytes / FLINK_RECORD_BYTES) + 1;
}

/**
 * Parses Flink's binary events (its EventDeSerializer): 8 bytes per event, the address as a
 * little-endian int32 (the raw IPv4 bits, read as uint32) and the type as a little-endian int32
 * ordinal, valid when 0 ≤ type < the number of event names. Rejects have line 0; their offset
 * identifies them. A final record shorter than 8 bytes is rejected as `truncated-record`.
 */
export class FlinkBinaryParser implements RecordParser {
  private records = 0;
  private readonly eventCount: number;

  constructor(
    events: EventLookup,
    private readonly rejects: RejectLedger,
  ) {
    this.eventCount = events.names.length;
  }

  /** Records read so far. */
  get lines(): number {
    return this.records;
  }

  restart(_atFileStart: boolean): void {
    this.records = 0;
  }

  skipLine(): void {
    this.records++;
  }

  parse(bytes: Uint8Array, end: number, final: boolean, batch: EventBatch, baseOffset: number): number {
    const whole = end - (end % FLINK_RECORD_BYTES);
    const { addresses, types } = batch;
    const eventCount = this.eventCount;
    let n = batch.count;
    for (let i = 0; i < whole; i += FLINK_RECORD_BYTES) {
      const type = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
      if (type >= 0 && type < eventCount) {
        addresses[n] = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
        types[n] = type;
        n++;
      } else {
        batch.count = n;
        this.reject(bytes, i, i + FLINK_RECORD_BYTES, baseOffset, 'unknown-event');
      }
    }
    batch.count = n;
    this.records += whole / FLINK_RECORD_BYTES;
    if (!final || whole === end) return whole;
    this.records++;
    this.reject(bytes, whole, end, baseOffset, 'truncated-record');
    return end;
  }

  private reject(
    bytes: Uint8Array,
    start: number,
    stop: number,
    baseOffset: number,
    reason: 'unknown-event' | 'truncated-record',
  ): void {
    this.rejects.reject({
      line: 0,
      offset: baseOffset + start,
      reason,
      raw: copyOfBytes(bytes, start, stop),
    });
  }
}
