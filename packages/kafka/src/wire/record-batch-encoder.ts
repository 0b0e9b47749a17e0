import { crc32c } from './crc32c.js';

/** Bytes of a record batch's header (magic 2), before its records. */
export const BATCH_HEADER_BYTES = 61;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;

/**
 * Keyed records as columns, no object per record: record i has key bytes [i·keyBytes,
 * (i+1)·keyBytes) of `keys` and value bytes [valueStarts[i], valueEnds[i]) of `values`.
 */
export interface RecordColumns {
  count: number;
  keys: Uint8Array;
  keyBytes: number;
  values: Uint8Array;
  valueStarts: Int32Array;
  valueEnds: Int32Array;
}

/** The most bytes a record (of keyBytes and valueBytes) takes in a batch. */
export function maxRecordBytes(keyBytes: number, valueBytes: number): number {
  return 5 + 1 + 1 + 5 + 5 + keyBytes + 5 + valueBytes + 1;
}

/**
 * Encodes records `indexes[0, count)` of `records` as one uncompressed record batch (magic 2, no
 * producer id: a plain, non-idempotent producer's batch, as the JVM producer writes with
 * `enable.idempotence=false`), with every record at `timestamp`.
 */
export function encodeRecordBatch(
  records: RecordColumns,
  indexes: Int32Array,
  count: number,
  timestamp: number,
  bytesBound: number,
): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + bytesBound);
  const { keys, keyBytes, values, valueStarts, valueEnds } = records;
  let at = BATCH_HEADER_BYTES;
  for (let n = 0; n < count; n++) {
    const i = indexes[n]!;
    const valueStart = valueStarts[i]!;
    const valueLength = valueEnds[i]! - valueStart;
    // attributes, timestamp delta (0), offset delta, key length, key, value length, value, headers (0)
    const bodyBytes =
      1 + 1 + zigzagBytes(n) + zigzagBytes(keyBytes) + keyBytes + zigzagBytes(valueLength) + valueLength + 1;
    at = writeZigzag(out, at, bodyBytes);
    out[at++] = 0;
    out[at++] = 0;
    at = writeZigzag(out, at, n);
    at = writeZigzag(out, at, keyBytes);
    for (let k = 0; k < keyBytes; k++) out[at++] = keys[i * keyBytes + k]!;
    at = writeZigzag(out, at, valueLength);
    out.set(values.subarray(valueStart, valueStart + valueLength), at);
    at += valueLength;
    out[at++] = 0;
  }
  out.writeBigInt64BE(0n, 0); // base offset: the broker assigns offsets
  out.writeInt32BE(at - 12, 8); // batch length: what follows it
  out.writeInt32BE(-1, 12); // partition leader epoch
  out.writeInt8(2, 16); // magic
  out.writeInt16BE(0, ATTRIBUTES_AT); // no compression, create time, not transactional
  out.writeInt32BE(count - 1, 23); // last offset delta
  out.writeBigInt64BE(BigInt(timestamp), 27);
  out.writeBigInt64BE(BigInt(timestamp), 35);
  out.writeBigInt64BE(-1n, 43); // producer id
  out.writeInt16BE(-1, 51); // producer epoch
  out.writeInt32BE(-1, 53); // base sequence
  out.writeInt32BE(count, 57);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_AT, at), CRC_AT);
  return out.subarray(0, at);
}

function zigzagBytes(value: number): number {
  let rest = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (rest > 0x7f) {
    rest >>>= 7;
    bytes++;
  }
  return bytes;
}

function writeZigzag(out: Buffer, at: number, value: number): number {
  let rest = ((value << 1) ^ (value >> 31)) >>> 0;
  while (rest > 0x7f) {
    out[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[at++] = rest;
  return at;
}
