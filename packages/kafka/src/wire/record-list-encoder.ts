import {
  BATCH_HEADER_BYTES,
  type BatchProducer,
  finishRecordBatch,
  writeZigzag,
  zigzagBytes,
} from './record-batch-encoder.js';

/** A keyed record with headers, as a caller hands it over (one object per record: not the hot path). */
export interface KeyedRecord {
  key: Uint8Array;
  value: Uint8Array | string;
  headers?: Readonly<Record<string, string>>;
}

/** Records cut into batches: `count` records from `first` of the list. */
export interface RecordSlice {
  first: number;
  count: number;
}

/**
 * The record's bytes inside a batch, its length prefix excluded: attributes, timestamp delta,
 * offset delta, key, value and headers.
 */
function bodyBytes(record: KeyedRecord, offsetDelta: number): number {
  const keyLength = record.key.length;
  const valueLength =
    typeof record.value === 'string' ? Buffer.byteLength(record.value) : record.value.length;
  let bytes =
    1 +
    1 +
    zigzagBytes(offsetDelta) +
    zigzagBytes(keyLength) +
    keyLength +
    zigzagBytes(valueLength) +
    valueLength;
  const headers = record.headers === undefined ? [] : Object.entries(record.headers);
  bytes += zigzagBytes(headers.length);
  for (const [name, value] of headers) {
    const nameLength = Buffer.byteLength(name);
    const valueBytes = Buffer.byteLength(value);
    bytes += zigzagBytes(nameLength) + nameLength + zigzagBytes(valueBytes) + valueBytes;
  }
  return bytes;
}

/** The most bytes a record takes in a batch, whatever its offset delta. */
export function recordBytesBound(record: KeyedRecord): number {
  return 5 + bodyBytes(record, 0x7fffffff);
}

/**
 * Cuts `records` into consecutive slices whose batches stay within `maxBatchBytes` (a record larger
 * than that goes alone in its batch: the broker decides whether it takes it).
 */
export function sliceRecords(records: readonly KeyedRecord[], maxBatchBytes: number): RecordSlice[] {
  const slices: RecordSlice[] = [];
  let first = 0;
  let bytes = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const recordBytes = recordBytesBound(records[i]!);
    if (i > first && bytes + recordBytes > maxBatchBytes) {
      slices.push({ first, count: i - first });
      first = i;
      bytes = BATCH_HEADER_BYTES;
    }
    bytes += recordBytes;
  }
  if (records.length > first) slices.push({ first, count: records.length - first });
  return slices;
}

/**
 * Encodes `records[first, first + count)` as one uncompressed record batch (magic 2), keys, values
 * and headers as given, every record at `timestamp`; with `producer`, an idempotent or
 * transactional producer's batch.
 */
export function encodeRecordList(
  records: readonly KeyedRecord[],
  { first, count }: RecordSlice,
  timestamp: number,
  producer?: BatchProducer,
): Buffer {
  let size = BATCH_HEADER_BYTES;
  for (let n = 0; n < count; n++) size += recordBytesBound(records[first + n]!);
  const out = Buffer.allocUnsafe(size);
  let at = BATCH_HEADER_BYTES;
  for (let n = 0; n < count; n++) {
    const record = records[first + n]!;
    at = writeZigzag(out, at, bodyBytes(record, n));
    out[at++] = 0; // attributes
    out[at++] = 0; // timestamp delta
    at = writeZigzag(out, at, n);
    at = writeZigzag(out, at, record.key.length);
    out.set(record.key, at);
    at += record.key.length;
    at = writeBytes(out, at, record.value);
    const headers = record.headers === undefined ? [] : Object.entries(record.headers);
    at = writeZigzag(out, at, headers.length);
    for (const [name, value] of headers) {
      at = writeBytes(out, at, name);
      at = writeBytes(out, at, value);
    }
  }
  return finishRecordBatch(out, at, count, timestamp, producer);
}

/** A length-prefixed field: its length as a zigzag varint, then its bytes (a string as UTF-8). */
function writeBytes(out: Buffer, at: number, value: Uint8Array | string): number {
  if (typeof value === 'string') {
    const length = Buffer.byteLength(value);
    at = writeZigzag(out, at, length);
    return at + out.write(value, at);
  }
  at = writeZigzag(out, at, value.length);
  out.set(value, at);
  return at + value.length;
}
