import {
  type EventBatch,
  encodeFlinkBinaryEvents,
  FLINK_RECORD_BYTES,
  formatCsvEvents,
  formatNdjsonEvents,
  type InputFormat,
} from '@statecraft/engine';
import type { OutgoingRecord } from '../client/client.js';
import { ADDRESS_KEY_BYTES, encodeAddressKeys } from './address-key.js';

/**
 * One record per event, keyed by its address, the value in `format` as the engine's encoders
 * write it: Flink's 8-byte record (what Flink's EventDeSerializer reads: one event per message),
 * or one CSV / NDJSON line without its newline.
 */
export function eventRecords(
  batch: EventBatch,
  format: InputFormat,
  eventNames: readonly string[],
): OutgoingRecord[] {
  const count = batch.count;
  const keys = encodeAddressKeys(batch.addresses, count);
  const key = (i: number) => keys.subarray(i * ADDRESS_KEY_BYTES, (i + 1) * ADDRESS_KEY_BYTES);
  const records = new Array<OutgoingRecord>(count);
  if (format === 'flink-binary') {
    const values = encodeFlinkBinaryEvents(batch);
    for (let i = 0; i < count; i++) {
      records[i] = {
        key: key(i),
        value: values.subarray(i * FLINK_RECORD_BYTES, (i + 1) * FLINK_RECORD_BYTES),
      };
    }
    return records;
  }
  const text = format === 'csv' ? formatCsvEvents(batch, eventNames) : formatNdjsonEvents(batch, eventNames);
  const lines = text.split('\n');
  for (let i = 0; i < count; i++) records[i] = { key: key(i), value: lines[i]! };
  return records;
}
