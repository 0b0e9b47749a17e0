import * as zlib from 'node:zlib';
import { gunzipSync } from 'node:zlib';
import { KafkaError } from '../errors.js';

/**
 * A partition's fetched records as columns, no object per record: record i is at offset
 * `offsets[i]`, its value bytes [valueStarts[i], valueEnds[i]) of `values` (valueStarts[i] = -1:
 * a null value).
 */
export interface RecordRun {
  count: number;
  offsets: Float64Array;
  values: Uint8Array;
  valueStarts: Int32Array;
  valueEnds: Int32Array;
  /** The last offset the fetch covered (control and aborted batches included); -1 when none. */
  lastOffset: number;
}

/** A transaction the broker reports aborted in a read_committed fetch. */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: number;
}

const HEADER_BYTES = 61;
const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
/** Node ≥ 22.15 decompresses zstd; older Nodes do not have it. */
const zstdDecompressSync = (zlib as { zstdDecompressSync?: (data: Uint8Array) => Buffer }).zstdDecompressSync;

/**
 * Decodes the record batches (magic 2) in bytes [start, end) of a Fetch response, skipping
 * control batches and the batches of aborted transactions (as the JVM consumer does under
 * read_committed), into one RecordRun. A batch cut short at the end (the fetch's size limit) is
 * left for the next fetch. gzip and (on Node ≥ 22.15) zstd batches are decompressed; snappy and
 * lz4 are refused with a KafkaError naming the partition and offset.
 */
export function decodeRecordBatches(
  buffer: Buffer,
  start: number,
  end: number,
  partition: number,
  aborted: readonly AbortedTransaction[],
): RecordRun {
  let capacity = 0;
  for (let at = start; at + HEADER_BYTES <= end; ) {
    const next = at + 12 + buffer.readInt32BE(at + 8);
    if (next > end) break;
    capacity += buffer.readInt32BE(at + 57);
    at = next;
  }
  const offsets = new Float64Array(capacity);
  const valueStarts = new Int32Array(capacity);
  const valueEnds = new Int32Array(capacity);
  const extra: Buffer[] = [];
  let extraBytes = 0;
  let count = 0;
  let lastOffset = -1;
  const pendingAborts = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  let nextAbort = 0;
  const abortedProducers = new Set<bigint>();

  for (let at = start; at + HEADER_BYTES <= end; ) {
    const baseOffset = Number(buffer.readBigInt64BE(at));
    const next = at + 12 + buffer.readInt32BE(at + 8);
    if (next > end) break;
    const magic = buffer.readInt8(at + 16);
    if (magic !== 2) {
      throw new KafkaError(
        `partition ${partition}, offset ${baseOffset}: record batch of magic ${magic} (Kafka < 0.11 message format), which Statecraft does not read`,
      );
    }
    const attributes = buffer.readInt16BE(at + 21);
    const batchLast = baseOffset + buffer.readInt32BE(at + 23);
    const producerId = buffer.readBigInt64BE(at + 43);
    const records = buffer.readInt32BE(at + 57);
    lastOffset = batchLast;
    while (nextAbort < pendingAborts.length && pendingAborts[nextAbort]!.firstOffset <= batchLast) {
      abortedProducers.add(pendingAborts[nextAbort++]!.producerId);
    }
    if (attributes & CONTROL) {
      // A commit or abort marker: an abort ends that producer's aborted transaction.
      if (records > 0 && isAbortMarker(buffer, at + HEADER_BYTES)) abortedProducers.delete(producerId);
      at = next;
      continue;
    }
    if (attributes & TRANSACTIONAL && abortedProducers.has(producerId)) {
      at = next;
      continue;
    }
    const codec = attributes & COMPRESSION_MASK;
    let body = buffer;
    let bodyAt = at + HEADER_BYTES;
    let bodyEnd = next;
    let shift = 0;
    if (codec !== 0) {
      body = decompress(codec, buffer.subarray(bodyAt, next), partition, baseOffset);
      shift = buffer.length + extraBytes;
      extra.push(body);
      extraBytes += body.length;
      bodyAt = 0;
      bodyEnd = body.length;
    }
    const cursor = { at: bodyAt };
    for (let r = 0; r < records && cursor.at < bodyEnd; r++) {
      const length = readZigzag(body, cursor);
      const recordEnd = cursor.at + length;
      cursor.at++; // attributes
      skipVarint(body, cursor); // timestamp delta
      const offsetDelta = readZigzag(body, cursor);
      const keyLength = readZigzag(body, cursor);
      if (keyLength > 0) cursor.at += keyLength;
      const valueLength = readZigzag(body, cursor);
      offsets[count] = baseOffset + offsetDelta;
      if (valueLength < 0) {
        valueStarts[count] = -1;
        valueEnds[count] = -1;
      } else {
        valueStarts[count] = shift + cursor.at;
        valueEnds[count] = shift + cursor.at + valueLength;
      }
      count++;
      cursor.at = recordEnd;
    }
    at = next;
  }
  const values = extra.length === 0 ? buffer : Buffer.concat([buffer, ...extra]);
  return { count, offsets, values, valueStarts, valueEnds, lastOffset };
}

/** A control record's key: version int16, type int16 (0 abort, 1 commit). */
function isAbortMarker(buffer: Buffer, at: number): boolean {
  const cursor = { at };
  readZigzag(buffer, cursor); // length
  cursor.at++; // attributes
  skipVarint(buffer, cursor); // timestamp delta
  readZigzag(buffer, cursor); // offset delta
  const keyLength = readZigzag(buffer, cursor);
  return keyLength >= 4 && buffer.readInt16BE(cursor.at + 2) === 0;
}

function decompress(codec: number, data: Buffer, partition: number, offset: number): Buffer {
  const name = CODECS[codec] ?? `codec ${codec}`;
  try {
    if (codec === 1) return gunzipSync(data);
    if (codec === 4 && zstdDecompressSync !== undefined) return zstdDecompressSync(data);
  } catch (error) {
    throw new KafkaError(
      `partition ${partition}, offset ${offset}: cannot decompress a ${name} record batch: ${(error as Error).message}`,
    );
  }
  throw new KafkaError(
    `partition ${partition}, offset ${offset}: record batch compressed with ${name}, which Statecraft cannot read ` +
      `(it reads uncompressed, gzip${zstdDecompressSync ? ' and zstd' : ''} batches; set the producer's compression.type accordingly)`,
  );
}

function readZigzag(buffer: Buffer, cursor: { at: number }): number {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = buffer[cursor.at++]!;
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  return (value >>> 1) ^ -(value & 1);
}

function skipVarint(buffer: Buffer, cursor: { at: number }): void {
  while (buffer[cursor.at++]! & 0x80) {
    // continuation bytes
  }
}
