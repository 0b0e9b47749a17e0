import { crc32c } from './crc32c.js';

/** Bytes of a record batch's header (magic 2), before its records. */
export const BATCH_HEADER_BYTES = 61;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
/** Attributes bit 4: the batch belongs to a transaction (read_committed readers wait for its marker). */
const TRANSACTIONAL = 0x10;

/**
 * Who writes a batch, for an idempotent or transactional producer: the broker keeps each
 * partition's batches of one producer id and epoch in sequence order (a repeated batch is not
 * written twice, a gap is refused).
 */
export interface BatchProducer {
  producerId: number;
  producerEpoch: number;
  /** The sequence number of the batch's first record in its partition (then one per record). */
  baseSequence: number;
  transactional: boolean;
}

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
 * Encodes records `indexes[0, count)` of `records` as one uncompressed record batch (magic 2),
 * with every record at `timestamp`. Without `producer`, a plain, non-idempotent producer's batch
 * (no producer id), as the JVM producer writes with `enable.idempotence=false`.
 */
export function encodeRecordBatch(
  records: RecordColumns,
  indexes: Int32Array,
  count: number,
  timestamp: number,
  bytesBound: number,
  producer?: BatchProducer,
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
  return finishRecordBatch(out, at, count, timestamp, producer);
}

/**
 * Writes the header of a record batch whose `count` records fill `out` from BATCH_HEADER_BYTES to
 * `end` (offset deltas 0..count-1, timestamps all `timestamp`), and returns the whole batch.
 */
export function finishRecordBatch(
  out: Buffer,
  end: number,
  count: number,
  timestamp: number,
  producer?: BatchProducer,
): Buffer {
  out.writeBigInt64BE(0n, 0); // base offset: the broker assigns offsets
  out.writeInt32BE(end - 12, 8); // batch length: what follows it
  out.writeInt32BE(-1, 12); // partition leader epoch
  out.writeInt8(2, 16); // magic
  // no compression, create time; transactional or not
  out.writeInt16BE(producer?.transactional ? TRANSACTIONAL : 0, ATTRIBUTES_AT);
  out.writeInt32BE(count - 1, 23); // last offset delta
  out.writeBigInt64BE(BigInt(timestamp), 27);
  out.writeBigInt64BE(BigInt(timestamp), 35);
  out.writeBigInt64BE(BigInt(producer?.producerId ?? -1), 43);
  out.writeInt16BE(producer?.producerEpoch ?? -1, 51);
  out.writeInt32BE(producer?.baseSequence ?? -1, 53);
  out.writeInt32BE(count, 57);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_AT, end), CRC_AT);
  return out.subarray(0, end);
}

/** Bytes of `value` as a zigzag varint (record fields). */
export function zigzagBytes(value: number): number {
  let rest = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (rest > 0x7f) {
    rest >>>= 7;
    bytes++;
  }
  return bytes;
}

/** Writes `value` as a zigzag varint at `at`; returns where it ends. */
export function writeZigzag(out: Buffer, at: number, value: number): number {
  let rest = ((value << 1) ^ (value >> 31)) >>> 0;
  while (rest > 0x7f) {
    out[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[at++] = rest;
  return at;
}
