import { describe, expect, it } from 'vitest';
import { BatchDecoder, type KafkaRejectedRecord } from '../src/codec/batch-decoder.js';
import { flinkRecord, recordRun } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

function decoder(format: 'flink-binary' | 'csv' | 'ndjson') {
  const rejected: KafkaRejectedRecord[] = [];
  return { decoder: new BatchDecoder(format, EVENTS, (record) => rejected.push(record)), rejected };
}

function events(chunk: ReturnType<BatchDecoder['decode']>) {
  if (chunk === undefined) throw new Error('no chunk');
  return Array.from({ length: chunk.batch.count }, (_, i) => [
    chunk.batch.addresses[i],
    chunk.batch.types[i],
    chunk.offsets[i],
  ]);
}

describe('BatchDecoder', () => {
  it("reads Flink's little-endian 8-byte events, including addresses with the sign bit set", () => {
    const { decoder: d } = decoder('flink-binary');
    const chunk = d.decode(
      1,
      recordRun([flinkRecord(0x0a000001, 0), flinkRecord(0xfffffffe, 6)], 40, 41),
      0,
      100,
    );
    expect(events(chunk)).toEqual([
      [0x0a000001, 0, 40],
      [0xfffffffe, 6, 41],
    ]);
    expect(chunk?.partition).toBe(1);
    expect(chunk?.nextOffset).toBe(42);
    expect(chunk?.records).toBe(2);
  });

  it('reads several events from one record, each with the record offset', () => {
    const { decoder: d } = decoder('flink-binary');
    const two = Buffer.concat([flinkRecord(7, 1), flinkRecord(8, 2)]);
    expect(events(d.decode(0, recordRun([two], 5, 5), 0, 100))).toEqual([
      [7, 1, 5],
      [8, 2, 5],
    ]);
  });

  it('rejects bad records with their partition and offset, and still moves the partition on', () => {
    const { decoder: d, rejected } = decoder('flink-binary');
    const chunk = d.decode(
      3,
      recordRun([flinkRecord(1, 9), Buffer.from([1, 2, 3]), null, flinkRecord(2, 3)], 10, 13),
      0,
      100,
    );
    expect(events(chunk)).toEqual([[2, 3, 13]]);
    expect(rejected.map(({ partition, offset, reason }) => [partition, offset, reason])).toEqual([
      [3, 10, 'unknown-event'],
      [3, 11, 'truncated-record'],
      [3, 12, 'truncated-record'],
    ]);
    expect(d.rejects.nonZero()).toEqual({ 'unknown-event': 1, 'truncated-record': 2 });
    expect(chunk?.nextOffset).toBe(14);
  });

  it('takes only offsets in [from, end): a repeated fetch and records past a bounded run are left', () => {
    const { decoder: d } = decoder('flink-binary');
    const fetched = recordRun(
      [0, 1, 2, 3, 4].map((i) => flinkRecord(100 + i, 0)),
      20,
      24,
    );
    const chunk = d.decode(0, fetched, 22, 24);
    expect(events(chunk)).toEqual([
      [102, 0, 22],
      [103, 0, 23],
    ]);
    expect(chunk?.nextOffset).toBe(24);
    expect(d.decode(0, fetched, 25, 100)).toBeUndefined();
  });

  it('moves past control records that end a fetch (a transaction marker), even with no data records', () => {
    const { decoder: d } = decoder('flink-binary');
    const chunk = d.decode(0, recordRun([flinkRecord(1, 0)], 30, 32), 30, 100);
    expect(chunk?.nextOffset).toBe(33);
    const markerOnly = d.decode(0, recordRun([], 0, 33), 33, 100);
    expect(markerOnly?.batch.count).toBe(0);
    expect(markerOnly?.nextOffset).toBe(34);
    expect(d.decode(0, recordRun([], 0, 33), 34, 100)).toBeUndefined();
  });

  it('reads CSV and NDJSON lines with the engine parsers', () => {
    const csv = decoder('csv');
    expect(
      events(csv.decoder.decode(0, recordRun(['10.0.0.1,a', '7,g\n8,b\n', 'nonsense'], 0, 2), 0, 100)),
    ).toEqual([
      [0x0a000001, 0, 0],
      [7, 6, 1],
      [8, 1, 1],
    ]);
    expect(csv.rejected.map((r) => [r.offset, r.reason])).toEqual([[2, 'column-count']]);
    const ndjson = decoder('ndjson');
    const lines = ['{"address":"10.0.0.2","type":"b"}', '{"address":3,"type":"c"}', '', '{"type":"a"}'];
    expect(events(ndjson.decoder.decode(0, recordRun(lines, 0, 3), 0, 100))).toEqual([
      [0x0a000002, 1, 0],
      [3, 2, 1],
    ]);
    expect(ndjson.rejected.map((r) => [r.offset, r.reason])).toEqual([
      [2, 'empty-line'],
      [3, 'missing-field'],
    ]);
  });
});
