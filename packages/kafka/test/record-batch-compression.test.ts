import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches, type RecordRun } from '../src/wire/record-batch-decoder.js';
import { BATCH_HEADER_BYTES, encodeRecordBatch, maxRecordBytes } from '../src/wire/record-batch-encoder.js';
import { flinkRecord } from './helpers.js';

/** zlib has zstd from Node 22.15 (and 23.8) on: on Node 24 a zstd batch is read, on Node 20 refused. */
const zstdCompressSync = (zlib as { zstdCompressSync?: (data: Uint8Array) => Buffer }).zstdCompressSync;
const ZSTD = 4;
const GZIP = 1;
const COUNT = 200;

/** COUNT Flink records (key: the address, 4 bytes) as one uncompressed batch. */
function plainBatch(): Buffer {
  const values = Buffer.concat(Array.from({ length: COUNT }, (_, i) => flinkRecord(0x0a000000 + i, i % 7)));
  const keys = Buffer.alloc(COUNT * 4);
  for (let i = 0; i < COUNT; i++) keys.writeUInt32BE(0x0a000000 + i, i * 4);
  const valueStarts = Int32Array.from({ length: COUNT }, (_, i) => i * 8);
  const valueEnds = valueStarts.map((start) => start + 8);
  const indexes = Int32Array.from({ length: COUNT }, (_, i) => i);
  const records = { count: COUNT, keys, keyBytes: 4, values, valueStarts, valueEnds };
  return encodeRecordBatch(records, indexes, COUNT, 1_700_000_000_000, COUNT * maxRecordBytes(4, 8));
}

/** The same batch with its records compressed by `codec` (as a producer with compression.type writes it). */
function compressedBatch(plain: Buffer, codec: number, compress: (data: Buffer) => Buffer): Buffer {
  const batch = Buffer.concat([
    plain.subarray(0, BATCH_HEADER_BYTES),
    compress(plain.subarray(BATCH_HEADER_BYTES)),
  ]);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt16BE(batch.readInt16BE(21) | codec, 21);
  return batch;
}

function decode(batch: Buffer): RecordRun {
  return decodeRecordBatches(batch, 0, batch.length, 3, []);
}

function valuesOf(run: RecordRun): Buffer[] {
  return Array.from({ length: run.count }, (_, i) =>
    Buffer.from(run.values.subarray(run.valueStarts[i], run.valueEnds[i])),
  );
}

describe('compressed record batches', () => {
  const plain = plainBatch();
  const expected = valuesOf(decode(plain));

  it('the uncompressed batch decodes to its records', () => {
    expect(expected).toHaveLength(COUNT);
    expect(expected[5]!.equals(flinkRecord(0x0a000005, 5))).toBe(true);
  });

  it('gzip: the same records', () => {
    const run = decode(compressedBatch(plain, GZIP, (data) => zlib.gzipSync(data)));
    expect(valuesOf(run)).toEqual(expected);
    expect(Array.from(run.offsets)).toEqual(Array.from(decode(plain).offsets));
  });

  it.runIf(zstdCompressSync !== undefined)(`zstd on Node ${process.version}: the same records`, () => {
    const run = decode(compressedBatch(plain, ZSTD, (data) => zstdCompressSync!(data)));
    expect(valuesOf(run)).toEqual(expected);
    expect(Array.from(run.offsets)).toEqual(Array.from(decode(plain).offsets));
  });

  it.runIf(zstdCompressSync !== undefined)(
    'zstd: a damaged batch is refused with its partition and offset',
    () => {
      const batch = compressedBatch(plain, ZSTD, (data) => zstdCompressSync!(data));
      batch.fill(0xff, BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + 8);
      expect(() => decode(batch)).toThrow(/^partition 3, offset 0: cannot decompress a zstd record batch/);
    },
  );

  it.runIf(zstdCompressSync === undefined)(
    `zstd on Node ${process.version}: refused, naming the codec`,
    () => {
      const batch = compressedBatch(plain, ZSTD, (data) => data);
      expect(() => decode(batch)).toThrow(
        'partition 3, offset 0: record batch compressed with zstd, which Statecraft cannot read ' +
          "(it reads uncompressed, gzip batches; set the producer's compression.type accordingly)",
      );
    },
  );
});
