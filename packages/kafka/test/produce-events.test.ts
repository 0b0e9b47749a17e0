import type { EventBatch } from '@statecraft/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOPICS } from '../../../scripts/broker/test-topics.js';
import { decodeAddressKey } from '../src/codec/address-key.js';
import { produceEvents } from '../src/producer/produce-events.js';
import { ColumnarProducer } from '../src/wire/columnar-producer.js';
import { bootstrap, byPartition, type RawRecord, readRaw } from './helpers.js';

const EVENTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const TOPIC = TEST_TOPICS.producerEvents.name;
const COUNT = 5_000;

/** A stream over 97 addresses (some with the sign bit set), in chunks of 1,000. */
function stream(): EventBatch[] {
  const batches: EventBatch[] = [];
  for (let start = 0; start < COUNT; start += 1000) {
    const addresses = new Uint32Array(1000);
    const types = new Uint8Array(1000);
    for (let i = 0; i < 1000; i++) {
      addresses[i] = (((start + i) % 97) * 0x02fedcba + 0x80000000 * ((start + i) % 2)) >>> 0;
      types[i] = (start + i) % 7;
    }
    batches.push({ count: 1000, addresses, types });
  }
  return batches;
}

let records: RawRecord[];
let progress: number[];

beforeAll(async () => {
  const producer = new ColumnarProducer({
    brokers: [bootstrap()],
    clientId: 'produce-events-test',
    timeoutMs: 10_000,
  });
  await producer.connect();
  progress = [];
  try {
    const result = await produceEvents(stream(), {
      producer,
      topic: TOPIC,
      eventNames: EVENTS,
      recordsPerSend: 700,
      onProgress: (events) => progress.push(events),
    });
    expect(result).toEqual({ events: COUNT, interrupted: false });
  } finally {
    await producer.disconnect();
  }
  records = await readRaw(TOPIC, COUNT);
});

describe('produceEvents', () => {
  it('writes one Flink 8-byte record per event (little-endian address and type ordinal), keyed by its address', () => {
    expect(records).toHaveLength(COUNT);
    for (const record of records) {
      expect(record.value).toHaveLength(8);
      expect(record.value.readUInt32LE(0)).toBe(decodeAddressKey(record.key));
      expect(record.value.readInt32LE(4)).toBeLessThan(7);
    }
  });

  it("puts every address in one partition, with that address's events in stream order", () => {
    const expected = new Map<number, number[]>();
    for (const batch of stream()) {
      for (let i = 0; i < batch.count; i++) {
        const list = expected.get(batch.addresses[i]!) ?? [];
        list.push(batch.types[i]!);
        expected.set(batch.addresses[i]!, list);
      }
    }
    const partitionOf = new Map<number, number>();
    const actual = new Map<number, number[]>();
    for (const [partition, inPartition] of byPartition(records)) {
      for (const record of [...inPartition].sort((a, b) => a.offset - b.offset)) {
        const address = record.value.readUInt32LE(0);
        expect(partitionOf.get(address) ?? partition).toBe(partition);
        partitionOf.set(address, partition);
        const list = actual.get(address) ?? [];
        list.push(record.value.readInt32LE(4));
        actual.set(address, list);
      }
    }
    expect(actual).toEqual(expected);
    expect(new Set(partitionOf.values()).size).toBeGreaterThan(1);
  });

  it('reports progress after every send', () => {
    expect(progress.at(-1)).toBe(COUNT);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(COUNT / 700));
  });
});
