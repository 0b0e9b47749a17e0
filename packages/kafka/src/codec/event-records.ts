import {
  type EventBatch,
  encodeFlinkBinaryEvents,
  FLINK_RECORD_BYTES,
  formatCsvEvents,
  formatNdjsonEvents,
  type InputFormat,
} from '@statecraft/engine';
import type { RecordColumns } from '../wire/record-batch-encoder.js';
import { ADDRESS_KEY_BYTES, encodeAddressKeys } from './address-key.js';

const NEWLINE = 0x0a;

/**
 * One record per event, as columns, keyed by its address, the value in `format` as the engine's
 * encoders write it: Flink's 8-byte record (what Flink's EventDeSerializer reads: one event per
 * message), or one CSV / NDJSON line without its newline.
 */
export function eventRecords(
  batch: EventBatch,
  format: InputFormat,
  eventNames: readonly string[],
): RecordColumns {
  const count = batch.count;
  const keys = encodeAddressKeys(batch.addresses, count);
  const valueStarts = new Int32Array(count);
  const valueEnds = new Int32Array(count);
  if (format === 'flink-binary') {
    for (let i = 0; i < count; i++) {
      valueStarts[i] = i * FLINK_RECORD_BYTES;
      valueEnds[i] = (i + 1) * FLINK_RECORD_BYTES;
    }
    return {
      count,
      keys,
      keyBytes: ADDRESS_KEY_BYTES,
      values: encodeFlinkBinaryEvents(batch),
      valueStarts,
      valueEnds,
    };
  }
  const text = format === 'csv' ? formatCsvEvents(batch, eventNames) : formatNdjsonEvents(batch, eventNames);
  const values = Buffer.from(text);
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = values.indexOf(NEWLINE, start);
    if (end < 0) end = values.length;
    valueStarts[i] = start;
    valueEnds[i] = end;
    start = end + 1;
  }
  return { count, keys, keyBytes: ADDRESS_KEY_BYTES, values, valueStarts, valueEnds };
}
